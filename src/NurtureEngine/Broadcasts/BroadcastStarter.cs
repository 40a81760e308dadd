using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Rendering;
using NurtureEngine.Segments;
using NurtureEngine.Settings;

namespace NurtureEngine.Broadcasts;

/// <summary>
/// Starts a broadcast: pins its template versions and freezes its audience in one statement (no lead is
/// loaded into .NET, so a million leads cost one INSERT … SELECT): the segment's members at this moment,
/// minus leads that cannot receive marketing (unsubscribed, bounced, complained, pending), addresses on
/// the suppression list and leads that left the topic. Each gets its variant and its due time here.
/// </summary>
public sealed class BroadcastStarter(NurtureDbContext db, EmailComposer composer, UnitOfWork work, InstallationSettings settings, TimeProvider clock)
{
    private static readonly TimeSpan FreezeTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Call with the broadcast's row locked, inside a transaction.</summary>
    public async Task StartAsync(Broadcast b, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var definition = Common.Json.Deserialize<BroadcastDefinition>(b.DefinitionJson);
        var contenders = definition.Contenders();
        var versions = new List<long>();
        foreach (var (template, _) in contenders)
            versions.Add((await composer.LatestVersionAsync(template, ct) ?? throw new Common.ValidationException("template", $"unknown template '{template}'")).Id);

        var parameters = new List<NpgsqlParameter> { new("b", b.Id), new("now", now) };
        var audience = Audience(definition, now, parameters);
        var ab = definition.AbTest is not null;
        var local = definition.LocalTime && definition.SendAt is not null;
        var sql = new StringBuilder();
        sql.Append(local ? "WITH zones AS MATERIALIZED (SELECT name FROM pg_timezone_names), " : "WITH ")
            .Append("audience AS (SELECT l.id, l.time_zone")
            .Append(ab ? ", row_number() OVER (ORDER BY md5(l.id::text || @b::text)) AS r, count(*) OVER () AS n" : "")
            .Append(" FROM nurture.lead l WHERE ").Append(audience).Append(") ")
            .Append("INSERT INTO nurture.broadcast_recipient (broadcast_id, lead_id, variant, due_at) SELECT @b, a.id, ")
            .Append(ab ? Variant(contenders, definition.AbTest!.SamplePercent!.Value) : "0").Append(", ");
        if (local)
        {
            parameters.Add(new NpgsqlParameter("wall", LocalSendTime.WallClock(definition.SendAt!.Value)));
            parameters.Add(new NpgsqlParameter("zone", settings.Nurture.DefaultTimeZone));
            sql.Append("GREATEST(@now, @wall::timestamp AT TIME ZONE COALESCE(z.name, @zone)) FROM audience a LEFT JOIN zones z ON z.name = a.time_zone");
        }
        else sql.Append("@now FROM audience a");
        // One statement over the whole audience: a million leads outlast the default 30 s command timeout on a busy server.
        var timeout = db.Database.GetCommandTimeout();
        db.Database.SetCommandTimeout(FreezeTimeout);
        int frozen;
        try { frozen = await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, ct); }
        finally { db.Database.SetCommandTimeout(timeout); }

        b.TemplateVersionIds = versions;
        b.Audience = frozen;
        b.Status = BroadcastStatus.Sending;
        b.StartedAt = now;
        b.DecideAt = definition.AbTest is { } test ? now + Common.Iso8601Duration.TryParse(test.DecideAfter)!.Value : null;
        work.WorkDueNow();
    }

    /// <summary>How many leads the audience would hold if sending started now (the editor's live count).</summary>
    public async Task<int> CountAsync(BroadcastDefinition d, CancellationToken ct)
    {
        var parameters = new List<NpgsqlParameter>();
        var sql = $"SELECT count(*)::int AS \"Value\" FROM nurture.lead l WHERE {Audience(d, clock.GetUtcNow(), parameters)}";
        return await db.Database.SqlQueryRaw<int>(sql, parameters.ToArray()).SingleAsync(ct);
    }

    /// <summary>The frozen audience's predicate on <c>nurture.lead l</c>.</summary>
    private static string Audience(BroadcastDefinition d, DateTimeOffset now, List<NpgsqlParameter> parameters)
    {
        var where = new StringBuilder("l.status = 'Subscribed'")
            .Append(" AND NOT EXISTS (SELECT 1 FROM nurture.suppression s WHERE s.address_hash = encode(sha256(convert_to(l.email_normalized, 'UTF8')), 'hex'))");
        if (d.Topic is not null)
        {
            parameters.Add(new NpgsqlParameter("topic", d.Topic));
            where.Append(" AND NOT EXISTS (SELECT 1 FROM nurture.topic_opt_out o WHERE o.lead_id = l.id AND o.topic = @topic)");
        }
        if (d.Segment is not null)
        {
            parameters.Add(new NpgsqlParameter("segment", d.Segment));
            where.Append(" AND EXISTS (SELECT 1 FROM nurture.segment_member sm JOIN nurture.segment sg ON sg.id = sm.segment_id WHERE sm.lead_id = l.id AND sg.key = @segment)");
        }
        else
        {
            var (predicate, filterParameters) = ConditionSql.Where(d.Filter!, now);
            parameters.AddRange(filterParameters);
            where.Append(" AND (").Append(predicate).Append(')');
        }
        return where.ToString();
    }

    /// <summary>
    /// The A/B split, exact: the audience in a pseudo-random order (by a hash of lead and broadcast), the first
    /// <c>samplePercent</c> split by weight, the rest (null) waiting for the winner.
    /// </summary>
    private static string Variant(List<(string Template, int Weight)> contenders, int samplePercent)
    {
        var total = contenders.Sum(c => c.Weight);
        var sql = new StringBuilder("CASE");
        var cumulative = 0;
        for (var i = 0; i < contenders.Count; i++)
        {
            cumulative += contenders[i].Weight;
            var share = samplePercent * (decimal)cumulative / (100m * total);
            sql.Append(" WHEN a.r <= ceil(a.n * ").Append(share.ToString(CultureInfo.InvariantCulture)).Append(") THEN ").Append(i);
        }
        return sql.Append(" END").ToString();
    }
}
