using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Settings;
using NurtureEngine.Suppressions;
using NurtureEngine.Telemetry;
using NurtureEngine.Timeline;

namespace NurtureEngine.Broadcasts;

/// <summary>
/// A broadcast's due work, shared by any number of workers (every claim is <c>FOR UPDATE SKIP LOCKED</c>):
/// starts scheduled broadcasts, decides A/B tests whose time has come, renders due recipients into the
/// outbox in batches (a recipient's outbox row and its mark commit together, and the outbox holds one row
/// per (broadcast, lead): a replayed batch cannot email twice), and marks finished broadcasts sent. A batch is
/// screened as it is rendered (lead status, suppression list, topic), so its emails can go straight to the
/// drain's SMTP lanes once it commits (<see cref="OutboxHandoff"/>), as a sequence's do.
/// </summary>
public sealed partial class BroadcastRunner(
    NurtureDbContext db, UnitOfWork work, BroadcastStarter starter, BroadcastReport report, MessageFactory messages, OutboxWriter outbox,
    TimelineWriter timeline, InstallationSettings settings, NurtureMetrics metrics, TimeProvider clock, ILogger<BroadcastRunner> logger)
{
    /// <summary>Recipients rendered into the outbox per transaction.</summary>
    public const int QueueBatch = 500;

    /// <summary>Runs one round; returns how much it did (0: nothing was due).</summary>
    /// <param name="handoff">The lanes of the drain running this round, if any: the rendered emails go to them once their batch commits.</param>
    public async Task<int> RunDueAsync(CancellationToken ct, OutboxHandoff? handoff = null)
    {
        var done = await StartDueAsync(ct) + await DecideDueAsync(ct) + await QueueDueAsync(handoff, ct);
        await FinishAsync(ct);
        return done;
    }

    private Task<int> StartDueAsync(CancellationToken ct) => work.RunAsync(async c =>
    {
        var now = clock.GetUtcNow();
        var due = await db.Broadcasts.FromSql($"""
            SELECT * FROM nurture.broadcast WHERE status = 'Scheduled' AND start_at <= {now} ORDER BY start_at LIMIT 1 FOR UPDATE SKIP LOCKED
            """).ToListAsync(c);
        foreach (var b in due)
        {
            await starter.StartAsync(b, c);
            LogStarted(logger, b.Key, b.Audience);
        }
        return due.Count;
    }, ct);

    /// <summary>After <c>decideAfter</c>: the variant with the best rate wins (ties: the first) and the remainder gets it.</summary>
    private Task<int> DecideDueAsync(CancellationToken ct) => work.RunAsync(async c =>
    {
        var now = clock.GetUtcNow();
        var due = await db.Broadcasts.FromSql($"""
            SELECT * FROM nurture.broadcast WHERE status = 'Sending' AND winner IS NULL AND decide_at <= {now} LIMIT 1 FOR UPDATE SKIP LOCKED
            """).ToListAsync(c);
        foreach (var b in due)
        {
            var definition = Json.Deserialize<BroadcastDefinition>(b.DefinitionJson);
            var decision = await report.DecideAsync(b, definition, now, c);
            b.Winner = decision.Variant;
            b.DecisionJson = Json.Serialize(decision);
            b.UpdatedAt = now;
            await db.Database.ExecuteSqlAsync($"""
                UPDATE nurture.broadcast_recipient SET variant = {decision.Variant} WHERE broadcast_id = {b.Id} AND variant IS NULL
                """, c);
            work.WorkDueNow();
            LogDecided(logger, b.Key, decision.Template, decision.Reason);
        }
        return due.Count;
    }, ct);

    private sealed record Due(long BroadcastId, Guid LeadId, int Variant);

    /// <summary>Renders up to <see cref="QueueBatch"/> due recipients of sending broadcasts into the outbox.</summary>
    private Task<int> QueueDueAsync(OutboxHandoff? handoff, CancellationToken ct) => work.RunAsync(async c =>
    {
        var now = clock.GetUtcNow();
        var due = await db.Database.SqlQuery<Due>($"""
            SELECT r.broadcast_id, r.lead_id, r.variant FROM nurture.broadcast_recipient r
            WHERE r.message_id IS NULL AND r.variant IS NOT NULL AND r.due_at <= {now}
              AND EXISTS (SELECT 1 FROM nurture.broadcast b WHERE b.id = r.broadcast_id AND b.status = 'Sending')
            ORDER BY r.due_at LIMIT {QueueBatch} FOR UPDATE OF r SKIP LOCKED
            """).ToListAsync(c);
        if (due.Count == 0) return 0;
        var broadcastIds = due.Select(d => d.BroadcastId).Distinct().ToList();
        var broadcasts = await db.Broadcasts.AsNoTracking().Where(b => broadcastIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, c);
        var leadIds = due.Select(d => d.LeadId).ToList();
        var leads = await db.Leads.AsNoTracking().Where(l => leadIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, c);
        var topics = broadcasts.Values.ToDictionary(b => b.Id, b => Json.Deserialize<BroadcastDefinition>(b.DefinitionJson).Topic);
        var wanted = topics.Values.OfType<string>().Distinct().ToList();
        var optedOut = (await db.TopicOptOuts.AsNoTracking().Where(o => leadIds.Contains(o.LeadId) && wanted.Contains(o.Topic))
            .Select(o => new { o.LeadId, o.Topic }).ToListAsync(c)).Select(o => (o.LeadId, o.Topic)).ToHashSet();
        var listed = await SuppressionList.ReasonsAsync(db, leads.Values.Select(l => l.Email), c);
        var versions = await VersionsAsync(broadcasts.Values, c);
        var held = await ThrottledAsync(due, leads, now, c);

        var queued = new List<(Due Recipient, Guid MessageId)>(due.Count);
        var rendered = new List<Message>(due.Count);
        foreach (var r in due)
        {
            if (held.Contains(r.LeadId) || !leads.TryGetValue(r.LeadId, out var lead)) continue;
            var b = broadcasts[r.BroadcastId];
            var topic = topics[b.Id];
            var reason = !lead.CanReceiveMarketing ? $"lead is {lead.Status.ToString().ToLowerInvariant()}"
                : listed.GetValueOrDefault(lead.Email) is { } listing ? listing
                : topic is not null && optedOut.Contains((lead.Id, topic)) ? $"unsubscribed from the topic {topic}" : null;
            Message message;
            if (reason is not null)
            {
                message = messages.CreateUnsent(lead, MessageStatus.Suppressed, reason);
                timeline.Add(lead.Id, ActivityKind.EmailSuppressed, $"Broadcast \"{b.Name}\" not sent: {reason}", new { broadcast = b.Key, reason }, message.Id);
                metrics.Email("suppressed", "marketing");
            }
            else
            {
                try
                {
                    message = await messages.ComposeAsync(lead, lead.Email, versions[b.TemplateVersionIds[r.Variant]], MessageKind.Marketing, null, null, c);
                    rendered.Add(message);
                }
                catch (Rendering.TemplateRenderException e)
                {
                    message = messages.CreateUnsent(lead, MessageStatus.Failed, $"the template could not be rendered: {e.Error}");
                    timeline.Add(lead.Id, ActivityKind.EmailFailed, $"Broadcast \"{b.Name}\" could not be rendered: {e.Error}",
                        new { broadcast = b.Key, reason = e.Error.ToString() }, message.Id);
                }
            }
            message.BroadcastId = b.Id;
            queued.Add((r, message.Id));
        }
        await db.SaveChangesAsync(c);
        if (handoff is not null && handoff.HasRoomFor(rendered.Count))
        {
            foreach (var m in rendered) (m.LeaseOwner, m.LeaseUntil) = (handoff.Owner, now + handoff.Lease);
            work.AfterCommit(() => handoff.Offer(rendered));
        }
        await outbox.WriteAsync(rendered, c);
        var keys = queued.Select(q => q.Recipient.LeadId).ToArray();
        var ids = queued.Select(q => q.MessageId).ToArray();
        var ofBroadcast = queued.Select(q => q.Recipient.BroadcastId).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.broadcast_recipient r SET message_id = u.message_id
            FROM unnest({ofBroadcast}, {keys}, {ids}) AS u(broadcast_id, lead_id, message_id)
            WHERE r.broadcast_id = u.broadcast_id AND r.lead_id = u.lead_id
            """, c);
        return due.Count;
    }, ct);

    private async Task<Dictionary<long, Templates.TemplateVersion>> VersionsAsync(IEnumerable<Broadcast> broadcasts, CancellationToken ct)
    {
        var ids = broadcasts.SelectMany(b => b.TemplateVersionIds).Distinct().ToList();
        return await db.TemplateVersions.AsNoTracking().Where(v => ids.Contains(v.Id)).ToDictionaryAsync(v => v.Id, ct);
    }

    /// <summary>
    /// The domain throttle (<c>DomainThrottlePerMinute</c>): recipients over a domain's share of the last minute
    /// are held (their due time moves a minute on). Workers count one domain one after the other (advisory locks, sorted).
    /// </summary>
    private async Task<HashSet<Guid>> ThrottledAsync(List<Due> due, Dictionary<Guid, Lead> leads, DateTimeOffset now, CancellationToken ct)
    {
        if (settings.Nurture.DomainThrottlePerMinute is not (> 0 and var perMinute)) return [];
        static string Domain(Lead l) => l.EmailNormalized[(l.EmailNormalized.LastIndexOf('@') + 1)..];
        var byDomain = due.Where(d => leads.ContainsKey(d.LeadId)).GroupBy(d => Domain(leads[d.LeadId])).ToList();
        var domains = byDomain.Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext('domain:@' || d)) FROM unnest({domains}) AS d ORDER BY d", ct);
        var since = now.AddMinutes(-1);
        var recent = await db.Database.SqlQuery<DomainCount>($"""
            SELECT d AS domain, (SELECT count(*)::int FROM nurture.message m WHERE m.kind = 'Marketing' AND m.created_at > {since}
                AND lower(m.to_address) LIKE '%@' || d AND m.status <> 'Suppressed') AS count
            FROM unnest({domains}) AS d
            """).ToDictionaryAsync(x => x.Domain, x => x.Count, ct);
        var held = new HashSet<Guid>();
        foreach (var group in byDomain)
            foreach (var r in group.Skip(Math.Max(0, perMinute - recent.GetValueOrDefault(group.Key))))
                held.Add(r.LeadId);
        if (held.Count == 0) return held;
        var heldIds = held.ToArray();
        var later = now.AddMinutes(1);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.broadcast_recipient SET due_at = {later} WHERE lead_id = ANY({heldIds}) AND message_id IS NULL AND due_at <= {now}
            """, ct);
        work.WorkDueAt(later);
        return held;
    }

    private sealed record DomainCount(string Domain, int Count);

    /// <summary>A sending broadcast whose every recipient is queued and whose every email has an outcome is sent.</summary>
    public Task<int> FinishAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.broadcast b SET status = 'Sent', finished_at = {now}, updated_at = {now}
            WHERE b.status = 'Sending'
              AND NOT EXISTS (SELECT 1 FROM nurture.broadcast_recipient r WHERE r.broadcast_id = b.id AND r.message_id IS NULL)
              AND NOT EXISTS (SELECT 1 FROM nurture.message m WHERE m.broadcast_id = b.id AND m.status IN ('Scheduled', 'Sending'))
            """, ct);
    }

    /// <summary>The earliest time broadcast work falls due (a start, an A/B decision, a recipient's local time), or null.</summary>
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) => db.Database.SqlQuery<DateTimeOffset?>($"""
        SELECT min(t) AS "Value" FROM (
            SELECT min(start_at) AS t FROM nurture.broadcast WHERE status = 'Scheduled'
            UNION ALL SELECT min(decide_at) FROM nurture.broadcast WHERE status = 'Sending' AND winner IS NULL
            UNION ALL SELECT min(r.due_at) FROM nurture.broadcast_recipient r JOIN nurture.broadcast b ON b.id = r.broadcast_id AND b.status = 'Sending'
                      WHERE r.message_id IS NULL AND r.variant IS NOT NULL) due
        """).SingleAsync(ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast {Key} started: audience of {Audience} frozen")]
    static partial void LogStarted(ILogger logger, string key, int audience);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcast {Key}: A/B winner {Template} ({Reason})")]
    static partial void LogDecided(ILogger logger, string key, string template, string reason);
}
