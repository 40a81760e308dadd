using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Sequences;

namespace NurtureEngine.Broadcasts;

/// <summary>A broadcast as the API shows it; <c>Id</c> is for the admin pages' own queries, not serialised.</summary>
public sealed record BroadcastDto([property: System.Text.Json.Serialization.JsonIgnore] long Id,
    string Key, string Name, string Template, string? Segment, Condition? Filter, string? Topic, DateTimeOffset? SendAt, bool LocalTime,
    AbTest? AbTest, BroadcastStatus Status, int Audience, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    BroadcastStats Stats, string? Winner, AbDecision? Decision, IReadOnlyList<LinkStats> Links, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Counts of recipients (each at most once): <c>opened</c> excludes machine opens, counted apart.</summary>
public sealed record BroadcastStats(
    int Queued, int Sent, int Failed, int Suppressed, int Cancelled, int Opened, int MachineOpened, int Clicked, int Replied,
    int Unsubscribed, int Bounced, int Complained, IReadOnlyList<VariantStats>? Variants = null)
{
    public double OpenRate => Rate(Opened);
    public double ClickRate => Rate(Clicked);
    public double ReplyRate => Rate(Replied);
    private double Rate(int n) => Sent == 0 ? 0 : Math.Round((double)n / Sent, 4);
}

/// <summary>One A/B variant's share: <c>recipients</c> counts the sample (and, after the decision, the winner's remainder).</summary>
public sealed record VariantStats(string Template, int Recipients, BroadcastStats Stats);

public sealed record LinkStats(string Url, int Clicks, int UniqueClicks);

public sealed record VariantRate(string Template, int Sent, int Count, double Rate);

/// <summary>The A/B decision, kept on the broadcast: who won, by what, and the rates it compared.</summary>
public sealed record AbDecision(int Variant, string Template, string By, DateTimeOffset DecidedAt, string Reason, IReadOnlyList<VariantRate> Rates);

/// <summary>Reads a broadcast's results from the outbox and the timeline (one grouped query each).</summary>
public sealed class BroadcastReport(NurtureDbContext db)
{
    private sealed record Row(long BroadcastId, int? Variant, int Recipients, int Queued, int Sent, int Failed, int Suppressed, int Cancelled,
        int Opened, int MachineOpened, int Clicked, int Replied, int Unsubscribed, int Bounced, int Complained);

    private sealed record LinkRow(long BroadcastId, string Url, int Clicks, int UniqueClicks);

    public async Task<BroadcastDto> ToDtoAsync(Broadcast b, CancellationToken ct) => (await ToDtosAsync([b], ct))[0];

    /// <summary>Many broadcasts' DTOs with two queries in all (stats grouped by broadcast and variant, links by broadcast).</summary>
    public async Task<IReadOnlyList<BroadcastDto>> ToDtosAsync(IReadOnlyList<Broadcast> broadcasts, CancellationToken ct)
    {
        var started = broadcasts.Where(b => b.StartedAt is not null).Select(b => b.Id).ToArray();
        var rows = started.Length == 0 ? [] : await RowsAsync(started, ct);
        var links = started.Length == 0 ? [] : await LinksAsync(started, ct);
        var rowsOf = rows.ToLookup(r => r.BroadcastId);
        var linksOf = links.ToLookup(l => l.BroadcastId, l => new LinkStats(l.Url, l.Clicks, l.UniqueClicks));
        return broadcasts.Select(b => ToDto(b, rowsOf[b.Id].ToList(), linksOf[b.Id].ToList())).ToList();
    }

    private static BroadcastDto ToDto(Broadcast b, List<Row> rows, List<LinkStats> links)
    {
        var d = Json.Deserialize<BroadcastDefinition>(b.DefinitionJson);
        var variants = d.AbTest is null ? null : d.Contenders().Select((c, i) => new VariantStats(c.Template,
            rows.Where(r => r.Variant == i).Sum(r => r.Recipients), Sum(rows.Where(r => r.Variant == i)))).ToList();
        var decision = b.DecisionJson is null ? null : Json.Deserialize<AbDecision>(b.DecisionJson);
        return new BroadcastDto(b.Id, b.Key, b.Name, d.Template!, d.Segment, d.Filter, d.Topic, d.SendAt, d.LocalTime, d.AbTest, b.Status, b.Audience,
            b.StartedAt, b.FinishedAt, Sum(rows) with { Variants = variants }, decision?.Template, decision, links, b.CreatedAt, b.UpdatedAt);
    }

    private static BroadcastStats Sum(IEnumerable<Row> rows)
    {
        var list = rows.ToList();
        int S(Func<Row, int> f) => list.Sum(f);
        return new BroadcastStats(S(r => r.Queued), S(r => r.Sent), S(r => r.Failed), S(r => r.Suppressed), S(r => r.Cancelled), S(r => r.Opened),
            S(r => r.MachineOpened), S(r => r.Clicked), S(r => r.Replied), S(r => r.Unsubscribed), S(r => r.Bounced), S(r => r.Complained));
    }

    private Task<List<Row>> RowsAsync(long[] broadcastIds, CancellationToken ct) => db.Database.SqlQuery<Row>($"""
        SELECT r.broadcast_id, r.variant, count(*)::int AS recipients,
               count(*) FILTER (WHERE m.status IN ('Scheduled', 'Sending'))::int AS queued,
               count(*) FILTER (WHERE m.status = 'Sent')::int AS sent,
               count(*) FILTER (WHERE m.status IN ('Failed', 'Unknown'))::int AS failed,
               count(*) FILTER (WHERE m.status = 'Suppressed')::int AS suppressed,
               count(*) FILTER (WHERE m.status = 'Cancelled')::int AS cancelled,
               count(*) FILTER (WHERE e.opened)::int AS opened, count(*) FILTER (WHERE e.machine_opened)::int AS machine_opened,
               count(*) FILTER (WHERE e.clicked)::int AS clicked, count(*) FILTER (WHERE e.replied)::int AS replied,
               count(*) FILTER (WHERE e.unsubscribed)::int AS unsubscribed, count(*) FILTER (WHERE e.bounced)::int AS bounced,
               count(*) FILTER (WHERE e.complained)::int AS complained
        FROM nurture.broadcast_recipient r
        LEFT JOIN nurture.message m ON m.id = r.message_id
        LEFT JOIN LATERAL (
            SELECT bool_or(a.kind = 'email_opened') AS opened, bool_or(a.kind = 'machine_opened') AS machine_opened,
                   bool_or(a.kind = 'email_clicked') AS clicked, bool_or(a.kind = 'email_replied') AS replied,
                   bool_or(a.kind = 'unsubscribed') AS unsubscribed, bool_or(a.kind = 'email_bounced') AS bounced,
                   bool_or(a.kind = 'complained') AS complained
            FROM nurture.activity a WHERE a.message_id = r.message_id
              AND a.kind IN ('email_opened', 'machine_opened', 'email_clicked', 'email_replied', 'unsubscribed', 'email_bounced', 'complained')) e ON true
        WHERE r.broadcast_id = ANY({broadcastIds})
        GROUP BY r.broadcast_id, r.variant
        """).ToListAsync(ct);

    /// <summary>Each broadcast's 100 most clicked links.</summary>
    private Task<List<LinkRow>> LinksAsync(long[] broadcastIds, CancellationToken ct) => db.Database.SqlQuery<LinkRow>($"""
        SELECT broadcast_id, url, clicks, unique_clicks FROM (
            SELECT m.broadcast_id, a.data->>'url' AS url, count(*)::int AS clicks, count(DISTINCT a.lead_id)::int AS unique_clicks,
                   row_number() OVER (PARTITION BY m.broadcast_id ORDER BY count(*) DESC, a.data->>'url') AS n
            FROM nurture.message m JOIN nurture.activity a ON a.message_id = m.id AND a.kind = 'email_clicked'
            WHERE m.broadcast_id = ANY({broadcastIds})
            GROUP BY m.broadcast_id, a.data->>'url') l
        WHERE n <= 100 ORDER BY broadcast_id, clicks DESC, url
        """).ToListAsync(ct);

    /// <summary>Opens and clicks (people, not machines) per hour since the start, for the report's chart.</summary>
    public Task<List<HourCount>> HourlyAsync(long broadcastId, CancellationToken ct) => db.Database.SqlQuery<HourCount>($"""
        SELECT date_trunc('hour', a.at) AS hour, count(*) FILTER (WHERE a.kind = 'email_opened')::int AS opens,
               count(*) FILTER (WHERE a.kind = 'email_clicked')::int AS clicks
        FROM nurture.message m JOIN nurture.activity a ON a.message_id = m.id AND a.kind IN ('email_opened', 'email_clicked')
        WHERE m.broadcast_id = {broadcastId}
        GROUP BY 1 ORDER BY 1
        """).ToListAsync(ct);

    public sealed record HourCount(DateTimeOffset Hour, int Opens, int Clicks);

    /// <summary>The sample's rates by <c>winnerBy</c>; the best wins, a tie goes to the first variant.</summary>
    public async Task<AbDecision> DecideAsync(Broadcast b, BroadcastDefinition d, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await RowsAsync([b.Id], ct);
        var by = d.AbTest!.WinnerBy!;
        var rates = d.Contenders().Select((c, i) =>
        {
            var s = Sum(rows.Where(r => r.Variant == i));
            var count = by switch { WinnerBy.Clicks => s.Clicked, WinnerBy.Replies => s.Replied, _ => s.Opened };
            return new VariantRate(c.Template, s.Sent, count, s.Sent == 0 ? 0 : Math.Round((double)count / s.Sent, 4));
        }).ToList();
        var winner = 0;
        for (var i = 1; i < rates.Count; i++) if (rates[i].Rate > rates[winner].Rate) winner = i;
        var measure = by switch { WinnerBy.Clicks => "click rate", WinnerBy.Replies => "reply rate", _ => "open rate (machine opens excluded)" };
        var others = string.Join(", ", rates.Where((_, i) => i != winner).Select(Describe));
        var reason = rates.Count(r => r.Rate == rates[winner].Rate) > 1
            ? $"{rates[winner].Template} wins a tie on {measure} as the first variant: {Describe(rates[winner])} against {others}"
            : $"{rates[winner].Template} had the best {measure}: {Describe(rates[winner])} against {others}";
        return new AbDecision(winner, rates[winner].Template, by, now, reason, rates);
    }

    private static string Describe(VariantRate r) =>
        $"{r.Rate.ToString("P1", CultureInfo.InvariantCulture)} ({r.Count} of {r.Sent})";
}
