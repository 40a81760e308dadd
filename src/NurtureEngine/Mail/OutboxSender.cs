using Microsoft.EntityFrameworkCore;
using System.Collections.Concurrent;
using System.Threading.Channels;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Inbound;
using NurtureEngine.Leads;
using NurtureEngine.Suppressions;
using NurtureEngine.Telemetry;
using NurtureEngine.Timeline;

namespace NurtureEngine.Mail;

/// <summary>
/// Sends the outbox. Guarantee: at most once per (enrollment, step), and never silently lost.
/// A batch is leased (<c>FOR UPDATE SKIP LOCKED</c>); each message is marked <c>sending</c> in a
/// committed row before SMTP starts. A worker that dies before that leaves the message scheduled
/// for another worker when the lease expires; one that dies during SMTP leaves it <c>sending</c>,
/// which the sweep turns into <c>unknown</c> (recorded, never resent: a duplicate is worse). While this process
/// still holds a message's outcome, it renews that <c>sending</c> lease, so a slow (starved, not dead) worker's
/// email is never settled as unknown under it.
/// </summary>
public sealed partial class OutboxSender(
    IServiceScopeFactory scopes, IMailTransport transport, MimeMessageBuilder builder,
    IOptions<SmtpOptions> smtp, IOptions<Settings.NurtureOptions> options, NurtureMetrics metrics, TimeProvider clock, ILogger<OutboxSender> logger)
{
    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.SendLeaseSeconds);
    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>
    /// How many lanes of this process may hold a marked group at once: as many as the transport has connections.
    /// Several drains can run in one process, each with its lanes; a marked group waiting for a connection would
    /// use up its <c>sending</c> lease, and the sweep would record as unknown email that did go out.
    /// </summary>
    private readonly SemaphoreSlim _connections = new(smtp.Value.MaxConnections);

    /// <summary>Leases one batch, screens it and sends it; returns how many it leased (for tools and fake-clock tests).</summary>
    public async Task<int> SendDueBatchAsync(int batchSize, CancellationToken ct)
    {
        using var finished = WorkProgress.Finished();
        return await SendDueAsync(batchSize, finished, DateTimeOffset.MaxValue, ct, maxBatches: 1);
    }

    /// <summary>
    /// A handoff for one drain's step runner (<see cref="OutboxHandoff"/>), or null when the global send rate is on:
    /// every email must then take a token at the claim.
    /// </summary>
    public OutboxHandoff? OpenHandoff(int capacity) =>
        options.Value.SendRatePerSecond > 0 ? null : new OutboxHandoff(_owner, Lease, capacity);

    /// <summary>
    /// Sends the outbox until nothing is due and <paramref name="producer"/> (the step runner filling it) has
    /// finished, or the deadline passes. <c>Smtp:MaxConnections</c> long-lived lanes take from one queue that is
    /// refilled (a batch leased and screened: lead status, suppression list, topic) whenever it has room, so no
    /// lane waits for another at a batch's end; outcomes are recorded in batched transactions while the lanes
    /// keep sending. Returns how many messages it leased.
    /// </summary>
    /// <param name="handoff">The drain's handoff (<see cref="OpenHandoff"/>): what the runner offered there is taken in turn with batches claimed from the outbox.</param>
    public async Task<int> SendDueAsync(int batchSize, WorkProgress producer, DateTimeOffset deadline, CancellationToken ct, int maxBatches = int.MaxValue,
        OutboxHandoff? handoff = null)
    {
        var queue = Channel.CreateBounded<Message>(new BoundedChannelOptions(batchSize) { SingleWriter = true });
        var outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
        var sending = new InFlight();
        using var renewing = new CancellationTokenSource();
        var renewer = RenewSendingAsync(sending, renewing.Token);
        var recorder = RecordAllAsync(outcomes.Reader, sending);
        var lanes = Enumerable.Range(0, smtp.Value.MaxConnections)
            .Select(_ => Task.Run(() => SendLaneAsync(queue.Reader, outcomes.Writer, sending, ct), CancellationToken.None)).ToList();
        var leased = new List<Guid>();
        var handedOff = false;
        try
        {
            for (var batches = 0; batches < maxBatches && !ct.IsCancellationRequested && clock.GetUtcNow() < deadline;)
            {
                var finished = producer.IsComplete; // read before the claim: what it queued before finishing is claimed below
                // Handed off: leased to this sender and screened by the runner that queued it. The outbox is claimed
                // at least every other batch, so what the runner could not hand off (and retries) waits no longer.
                var batch = handedOff ? [] : handoff?.Take(batchSize) ?? [];
                handedOff = batch.Count > 0;
                if (!handedOff) batch = await ClaimAsync(batchSize, ct);
                if (batch.Count == 0 && handoff?.Take(batchSize) is { Count: > 0 } more) (batch, handedOff) = (more, true);
                if (batch.Count == 0)
                {
                    if (finished) break;
                    await producer.WaitAsync(ct);
                    continue;
                }
                batches++;
                if (handedOff) metrics.Claimed("messages", batch.Count);
                leased.AddRange(batch.Select(m => m.Id));
                // Quick; what it holds is released below on shutdown.
                foreach (var message in handedOff ? batch : await ScreenAsync(batch, CancellationToken.None)) await queue.Writer.WriteAsync(message, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: handled below, once the lanes have stopped.
        }
        finally
        {
            queue.Writer.TryComplete();
            await using (ct.Register(() => LogStopping(logger)))
                await Task.WhenAll(lanes);
            outcomes.Writer.Complete();
            await recorder;
            await renewing.CancelAsync();
            await renewer;
        }
        if (ct.IsCancellationRequested)
        {
            // Hand back at once what this worker leased but never started, so another worker sends it now
            // rather than when the lease runs out (only messages still scheduled under this lease change).
            if (leased.Count > 0) await ReleaseAsync(leased);
            ct.ThrowIfCancellationRequested();
        }
        return leased.Count;
    }

    /// <summary>
    /// Hands back what the runner offered but no lane took (the drain stopped or ran out of time): scheduled for
    /// any worker now, not when the lease runs out. Call once the runner has stopped offering.
    /// </summary>
    public async Task HandBackAsync(OutboxHandoff handoff)
    {
        var left = handoff.Take(int.MaxValue);
        if (left.Count > 0) await ReleaseAsync([.. left.Select(m => m.Id)]);
    }

    private async Task ReleaseAsync(List<Guid> claimed)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var ids = claimed.ToArray();
        var released = await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.message SET lease_owner = NULL, lease_until = NULL
            WHERE id = ANY({ids}) AND status = 'Scheduled' AND lease_owner = {_owner}
            """, CancellationToken.None);
        LogReleased(logger, released);
    }

    /// <summary>Messages left <c>sending</c> by a dead worker: the outcome is unknown; record it, never resend.</summary>
    public async Task<int> ResolveAbandonedAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var timeline = scope.ServiceProvider.GetRequiredService<TimelineWriter>();
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var abandoned = await db.Messages.FromSql($"""
            SELECT * FROM nurture.message WHERE status = 'Sending' AND lease_until < {now} FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        foreach (var m in abandoned)
        {
            m.Status = MessageStatus.Unknown;
            m.Error = "the worker stopped during the SMTP transaction; not resent, to avoid a duplicate";
            timeline.Add(m.LeadId, ActivityKind.EmailFailed, $"Email \"{m.Subject}\": delivery outcome unknown (worker stopped while sending); not resent",
                new { status = "unknown", reason = m.Error }, m.Id, m.SequenceId, m.StepId);
            metrics.Email("unknown", KindTag(m.Kind));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return abandoned.Count;
    }

    private async Task<List<Message>> ClaimAsync(int limit, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var now = clock.GetUtcNow();
        var until = now + Lease;
        // Email a paused sequence or broadcast queued before the pause waits with it.
        // Shutdown does not cancel the claim nor the read after it: a claim committed as SIGTERM arrived,
        // its ids lost to the cancellation, would stay leased to a worker that has gone.
        // One statement leases the batch and returns its rows.
        var claimed = await scope.ServiceProvider.GetRequiredService<GlobalSendRate>().ClaimAsync(limit, n => db.Messages.FromSql($"""
            UPDATE nurture.message m SET lease_owner = {_owner}, lease_until = {until}
            WHERE m.id IN (SELECT id FROM nurture.message
                         WHERE status = 'Scheduled' AND not_before <= {now} AND (lease_until IS NULL OR lease_until < {now})
                           AND NOT EXISTS (SELECT 1 FROM nurture.sequence s WHERE s.id = message.sequence_id AND s.status = 'Paused')
                           AND NOT EXISTS (SELECT 1 FROM nurture.broadcast b WHERE b.id = message.broadcast_id AND b.status = 'Paused')
                         ORDER BY not_before LIMIT {n} FOR UPDATE SKIP LOCKED)
            RETURNING m.*
            """).AsNoTracking().ToListAsync(CancellationToken.None), m => m.Id, ct);
        metrics.Claimed("messages", claimed.Count);
        return claimed.OrderBy(m => m.NotBefore).ToList();
    }

    /// <summary>
    /// Marketing email whose lead left (unsubscribed, bounced, complained) or whose address is on the
    /// suppression list after it was queued is not sent: recorded as suppressed, in one transaction.
    /// Returns the messages to send.
    /// </summary>
    private async Task<List<Message>> ScreenAsync(List<Message> batch, CancellationToken ct)
    {
        var marketing = batch.Where(m => m.Kind == MessageKind.Marketing).ToList();
        if (marketing.Count == 0) return batch;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var leadIds = marketing.Select(m => m.LeadId).Distinct().ToList();
        var statuses = await db.Leads.Where(l => leadIds.Contains(l.Id)).Select(l => new { l.Id, l.Status }).ToDictionaryAsync(l => l.Id, l => l.Status, ct);
        var listed = await SuppressionList.ReasonsAsync(db, marketing.Select(m => m.ToAddress), ct);
        var ids = marketing.Select(m => m.Id).ToArray();
        // The lead may have left the email's topic (its sequence's or broadcast's) since it was queued.
        var outOfTopic = (await db.Database.SqlQuery<TopicLeft>($$"""
            SELECT m.id, t.topic FROM nurture.message m
            CROSS JOIN LATERAL (SELECT COALESCE(
                (SELECT b.definition->>'topic' FROM nurture.broadcast b WHERE b.id = m.broadcast_id),
                (SELECT v.definition->>'topic' FROM nurture.enrollment e JOIN nurture.sequence_version v ON v.id = e.sequence_version_id
                 WHERE e.id = m.enrollment_id)) AS topic) t
            WHERE m.id = ANY({{ids}}) AND EXISTS (SELECT 1 FROM nurture.topic_opt_out o WHERE o.lead_id = m.lead_id AND o.topic = t.topic)
            """).ToListAsync(ct)).ToDictionary(x => x.Id, x => x.Topic);
        var suppressed = new List<(Message Message, string Reason)>();
        foreach (var m in marketing)
        {
            if (statuses.GetValueOrDefault(m.LeadId, LeadStatus.Subscribed) is var status and not LeadStatus.Subscribed)
                suppressed.Add((m, $"lead is {status.ToString().ToLowerInvariant()}"));
            else if (listed.GetValueOrDefault(m.ToAddress) is { } reason)
                suppressed.Add((m, reason));
            else if (outOfTopic.GetValueOrDefault(m.Id) is { } topic)
                suppressed.Add((m, $"unsubscribed from the topic {topic}"));
        }
        if (suppressed.Count == 0) return batch;
        var timeline = scope.ServiceProvider.GetRequiredService<TimelineWriter>();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            foreach (var (message, reason) in suppressed)
            {
                db.Messages.Attach(message);
                timeline.Add(message.LeadId, ActivityKind.EmailSuppressed, $"Email \"{message.Subject}\" not sent: {reason}",
                    new { step = message.StepId, reason }, message.Id, message.SequenceId, message.StepId);
                message.Status = MessageStatus.Suppressed;
                message.Error = reason;
                message.LeaseOwner = null;
                message.LeaseUntil = null;
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        foreach (var (message, _) in suppressed) metrics.Email("suppressed", KindTag(message.Kind));
        var skipped = suppressed.Select(x => x.Message.Id).ToHashSet();
        return batch.Where(m => !skipped.Contains(m.Id)).ToList();
    }

    private sealed record TopicLeft(Guid Id, string Topic);

    /// <summary>How many messages a lane marks <c>sending</c> with one statement before sending them one after another.</summary>
    private const int MarkGroup = 8;

    /// <summary>
    /// One SMTP lane: takes a few messages, builds them, marks those it really took <c>sending</c> in one
    /// committed statement, and sends them; outcomes go to the recorder. A message that cannot be built
    /// (an address or header MimeKit refuses) fails alone, once, with the reason, and is never sent.
    /// </summary>
    private async Task SendLaneAsync(ChannelReader<Message> queue, ChannelWriter<Outcome> outcomes, InFlight sending, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var group = new List<(Message Message, MimeKit.MimeMessage Mime)>(MarkGroup);
        while (!ct.IsCancellationRequested)
        {
            group.Clear();
            try
            {
                if (!await queue.WaitToReadAsync(ct)) return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            while (group.Count < MarkGroup && queue.TryRead(out var message))
            {
                // Everything the send needs that may read the database (settings, the tracking key) is read
                // now, before the mark: a database lost after the mark can no longer stop a send between the
                // mark and SMTP, which would leave an email that never left recorded as "unknown".
                try
                {
                    group.Add((message, builder.Build(message)));
                }
                catch (Exception e) when (e is FormatException or MimeKit.ParseException or ArgumentException)
                {
                    await outcomes.WriteAsync(new Outcome(message, new DeliveryResult(DeliveryOutcome.Rejected, $"cannot be sent: {e.Message}"), Marked: false), CancellationToken.None);
                }
            }
            if (group.Count == 0) continue;
            try
            {
                await _connections.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return; // Not marked: still scheduled under this worker's lease, handed back on shutdown.
            }
            try
            {
                await SendGroupAsync(db, group, outcomes, sending, ct);
            }
            finally
            {
                _connections.Release();
            }
        }
    }

    private async Task SendGroupAsync(NurtureDbContext db, List<(Message Message, MimeKit.MimeMessage Mime)> group, ChannelWriter<Outcome> outcomes,
        InFlight sending, CancellationToken ct)
    {
        var sendingUntil = clock.GetUtcNow() + SendingLease(group.Count);
        var ids = group.Select(g => g.Message.Id).ToArray();
        // The committed 'sending' mark is what makes a crash during SMTP decidable later; only what it took is sent.
        var marked = (await db.Database.SqlQuery<Guid>($"""
            UPDATE nurture.message SET status = 'Sending', attempts = attempts + 1, lease_until = {sendingUntil}
            WHERE id = ANY({ids}) AND status = 'Scheduled' AND lease_owner = {_owner}
            RETURNING id AS "Value"
            """).ToListAsync(CancellationToken.None)).ToHashSet();
        foreach (var id in marked) sending.Add(id);
        foreach (var (message, mime) in group)
        {
            // One mark, one send: a message whose short lease ran out while it was queued can be leased again by this
            // worker and so sit in the queue (even in this group) twice; only the copy that consumes the mark is sent.
            if (!marked.Remove(message.Id)) continue;
            message.Status = MessageStatus.Sending;
            message.Attempts++;
            message.LeaseUntil = sendingUntil;
            // Shutting down stops new sends; one already started runs to its end (bounded by the SMTP
            // timeout): cancelling it after the final dot would only turn a sent email into "unknown".
            if (ct.IsCancellationRequested)
            {
                await outcomes.WriteAsync(new Outcome(message, new DeliveryResult(DeliveryOutcome.RetryLater, "not sent: the worker stopped"), Marked: true, Free: true), CancellationToken.None);
                continue;
            }
            using var span = NurtureMetrics.Tracing.StartActivity("email.send");
            span?.SetTag("nurture.message_id", message.Id);
            span?.SetTag("nurture.lead_id", message.LeadId);
            var started = clock.GetTimestamp();
            DeliveryResult result;
            try
            {
                result = await transport.SendAsync(mime, CancellationToken.None);
            }
            catch (Exception e)
            {
                // Not one the transport knows: whether the relay took it cannot be told, so it is not resent.
                result = new DeliveryResult(DeliveryOutcome.Unknown, $"unexpected error while sending: {e.Message}");
            }
            metrics.SmtpDuration(clock.GetElapsedTime(started), result.Outcome.ToString().ToLowerInvariant());
            await outcomes.WriteAsync(new Outcome(message, result, Marked: true), CancellationToken.None);
        }
    }

    /// <summary>
    /// What SMTP said about a message. <paramref name="Marked"/>: it was marked <c>sending</c> (the recorder
    /// changes it only while it still is, never over the sweep's <c>unknown</c>). <paramref name="Free"/>: it
    /// was marked but never sent (shutdown): it goes back to <c>scheduled</c> for any worker, at once.
    /// </summary>
    private sealed record Outcome(Message Message, DeliveryResult Result, bool Marked, bool Free = false);

    /// <summary>Long enough for the slowest SMTP transactions of a group (RFC 5321 allows 10 minutes for the final reply).</summary>
    private TimeSpan SendingLease(int messages) => Lease + TimeSpan.FromSeconds(smtp.Value.TimeoutSeconds * 2) * messages;

    /// <summary>The messages this drain has marked <c>sending</c> and whose outcome it has not yet recorded (or given up on).</summary>
    private sealed class InFlight
    {
        private readonly ConcurrentDictionary<Guid, byte> _ids = new();
        public void Add(Guid id) => _ids.TryAdd(id, 0);
        public void Remove(Guid id) => _ids.TryRemove(id, out _);
        public Guid[] Ids => [.. _ids.Keys];
    }

    /// <summary>
    /// Renews the <c>sending</c> lease of what this drain still holds, every half lease: the sweep settles as unknown
    /// only email whose worker stopped renewing (it died), not email a starved worker sent and has yet to record.
    /// </summary>
    private async Task RenewSendingAsync(InFlight sending, CancellationToken ct)
    {
        var every = TimeSpan.FromSeconds(Math.Clamp(options.Value.SendLeaseSeconds / 2.0, 1, 30));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, clock, ct);
                if (sending.Ids is not { Length: > 0 } ids) continue;
                using var scope = scopes.CreateScope();
                var until = clock.GetUtcNow() + SendingLease(MarkGroup);
                await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().Database.ExecuteSqlAsync($"""
                    UPDATE nurture.message SET lease_until = {until}
                    WHERE id = ANY({ids}) AND status = 'Sending' AND lease_owner = {_owner} AND lease_until < {until}
                    """, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (Transient.Is(e))
            {
                // Tried again at the next turn; the leases still run until then.
            }
        }
    }

    /// <summary>How often the recorder tries a batch again after a transient fault (the database busy or away) before recording one by one.</summary>
    private static readonly TimeSpan[] RecordRetries = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    /// <summary>
    /// Records SMTP outcomes as they arrive, up to <see cref="RecordBatch"/> per transaction. A batch that meets a
    /// transient fault is tried again after a pause (real time: it waits for the database, not for a domain moment).
    /// </summary>
    private async Task RecordAllAsync(ChannelReader<Outcome> outcomes, InFlight sending)
    {
        var batch = new List<Outcome>(RecordBatch);
        while (await outcomes.WaitToReadAsync(CancellationToken.None))
        {
            await GatherAsync(outcomes, batch);
            try
            {
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await RecordAsync(batch, CancellationToken.None);
                        break;
                    }
                    catch (Exception e) when (Transient.Is(e) && attempt < RecordRetries.Length)
                    {
                        await Task.Delay(RecordRetries[attempt]);
                    }
                }
            }
            catch (Exception e)
            {
                // One bad outcome must not hold the others back: record them one by one. One that still
                // fails stays 'sending' and is settled as unknown by the sweep (never resent).
                LogRecordBatchFailed(logger, e);
                foreach (var outcome in batch)
                {
                    try { await RecordAsync([outcome], CancellationToken.None); }
                    catch (Exception one) { LogRecordFailed(logger, outcome.Message.Id, one); }
                }
            }
            foreach (var outcome in batch) sending.Remove(outcome.Message.Id);
            batch.Clear();
        }
    }

    private const int RecordBatch = 100;

    /// <summary>How long the recorder waits for more outcomes before a transaction: one for many is far cheaper than one each.</summary>
    private static readonly TimeSpan GatherFor = TimeSpan.FromMilliseconds(20);

    /// <summary>Takes what is there, then what arrives within <see cref="GatherFor"/> (real time: a batching window, not a domain time), up to a batch.</summary>
    private static async Task GatherAsync(ChannelReader<Outcome> outcomes, List<Outcome> batch)
    {
        while (batch.Count < RecordBatch && outcomes.TryRead(out var outcome)) batch.Add(outcome);
        if (batch.Count >= RecordBatch) return;
        using var window = new CancellationTokenSource(GatherFor);
        try
        {
            while (batch.Count < RecordBatch && await outcomes.WaitToReadAsync(window.Token))
                while (batch.Count < RecordBatch && outcomes.TryRead(out var outcome)) batch.Add(outcome);
        }
        catch (OperationCanceledException)
        {
            // The window closed: record what there is.
        }
    }

    /// <summary>
    /// Records a batch of outcomes. Sent email whose <c>email_sent</c> nothing observes (no scoring rule,
    /// trigger, condition or webhook) is recorded by one statement: status, reply and timeline row together;
    /// the rest (failures, retries, observed sends, marks handed back) take the general path in one
    /// transaction. Either way a message changes only while it is still as the lane left it.
    /// </summary>
    private async Task RecordAsync(List<Outcome> outcomes, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<NurtureDbContext>();
        var quiet = await SentIsQuietAsync(services, db, ct);
        var plain = outcomes.Where(o => quiet && o.Marked && !o.Free && o.Result.Outcome == DeliveryOutcome.Sent).ToList();
        if (plain.Count > 0) await RecordSentAsync(db, plain, ct);
        var rest = plain.Count == outcomes.Count ? [] : outcomes.Except(plain).ToList();
        if (rest.Count > 0) await RecordEachAsync(services, db, rest, ct);
    }

    /// <summary>Nothing reacts to <c>email_sent</c>: no scoring rule, trigger or condition names it, and no webhook wants it.</summary>
    private static async Task<bool> SentIsQuietAsync(IServiceProvider services, NurtureDbContext db, CancellationToken ct) =>
        !(await services.GetRequiredService<Webhooks.WebhookSubscriptionCache>().GetAsync(db, ct)).Any(s => s.Wants(ActivityKind.EmailSent, ActivityKind.EmailSent))
        && !await services.GetRequiredService<EventObservers>().ObservedAsync(ActivityKind.EmailSent, ct);

    private async Task RecordSentAsync(NurtureDbContext db, List<Outcome> sent, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ids = sent.Select(o => o.Message.Id).ToArray();
        var replies = sent.Select(o => Truncate(o.Result.Reply) ?? "").ToArray();
        var recorded = await db.Database.SqlQuery<Guid>($"""
            WITH sent AS (
                UPDATE nurture.message m SET status = 'Sent', sent_at = {now}, smtp_reply = nullif(u.reply, ''), lease_owner = NULL, lease_until = NULL
                FROM unnest({ids}, {replies}) AS u(id, reply)
                WHERE m.id = u.id AND m.status = 'Sending'
                RETURNING m.id, m.lead_id, m.kind, m.subject, m.to_address, m.message_id_header, m.smtp_reply, m.sequence_id, m.step_id, m.broadcast_id),
            timeline AS (
                INSERT INTO nurture.activity (lead_id, kind, event_type, summary, data, at, recorded_at, message_id, sequence_id, step_id)
                SELECT lead_id, 'email_sent', 'email_sent', left('Email "' || subject || '" sent', 500),
                       jsonb_strip_nulls(jsonb_build_object('subject', subject, 'to', to_address, 'messageId', message_id_header, 'reply', smtp_reply,
                           'broadcast', (SELECT b.key FROM nurture.broadcast b WHERE b.id = sent.broadcast_id))),
                       {now}, {now}, id, sequence_id, step_id
                FROM sent WHERE kind = 'Marketing')
            SELECT id AS "Value" FROM sent
            """).ToListAsync(ct);
        var done = recorded.ToHashSet();
        foreach (var o in sent)
        {
            if (!done.Contains(o.Message.Id)) { LogOutcomeStale(logger, o.Message.Id); continue; }
            LogSent(logger, o.Message.Id, o.Message.LeadId);
            metrics.Email("sent", KindTag(o.Message.Kind));
        }
    }

    private async Task RecordEachAsync(IServiceProvider services, NurtureDbContext db, List<Outcome> outcomes, CancellationToken ct)
    {
        var work = services.GetRequiredService<UnitOfWork>();
        var timeline = services.GetRequiredService<TimelineWriter>();
        var engagement = services.GetRequiredService<EngagementRecorder>();
        var now = clock.GetUtcNow();
        // A failure fails the whole batch (recorded one by one then): savepoints per save buy nothing.
        db.Database.AutoSavepointsEnabled = outcomes.Count == 1;
        var messages = new List<Message>(outcomes.Count);
        await work.RunAsync(async c =>
        {
            messages.Clear();
            // Only messages still as their lane left them: never over the sweep's 'unknown'.
            var marked = outcomes.Where(o => o.Marked).Select(o => o.Message.Id).ToArray();
            var unmarked = outcomes.Where(o => !o.Marked).Select(o => o.Message.Id).ToArray();
            var current = (await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM nurture.message
                WHERE (id = ANY({marked}) AND status = 'Sending') OR (id = ANY({unmarked}) AND status = 'Scheduled' AND lease_owner = {_owner})
                ORDER BY id FOR UPDATE
                """).ToListAsync(c)).ToHashSet();
            // Only a send something observes or a bounce changes the lead: only those leads are locked, so a
            // retry or failure is recorded without waiting for a step runner that holds the lead.
            var leadIds = outcomes.Where(o => o.Message.Kind == MessageKind.Marketing && !o.Free
                    && o.Result.Outcome is DeliveryOutcome.Sent or DeliveryOutcome.Rejected)
                .Select(o => o.Message.LeadId).Distinct().ToList();
            await db.Leads.Where(l => leadIds.Contains(l.Id)).OrderBy(l => l.Id).ForUpdate().LoadAsync(c);
            foreach (var (original, result, wasMarked, free) in outcomes)
            {
                if (!current.Contains(original.Id)) { LogOutcomeStale(logger, original.Id); continue; }
                // A copy: a failed batch must not leave half-recorded state on the message recorded again one by one.
                var message = db.Messages.Attach(Copy(original)).Entity;
                message.LeaseOwner = null;
                message.LeaseUntil = null;
                if (free)
                {
                    // Marked, never sent: back to any worker now, the attempt not counted (nor an outcome in the metrics).
                    message.Status = MessageStatus.Scheduled;
                    message.Attempts--;
                    work.WorkDueNow();
                    continue;
                }
                messages.Add(message);
                message.SmtpReply = Truncate(result.Reply);
                switch (result.Outcome)
                {
                    case DeliveryOutcome.Sent:
                        message.Status = MessageStatus.Sent;
                        message.SentAt = now;
                        LogSent(logger, message.Id, message.LeadId);
                        if (message.Kind == MessageKind.Marketing && await db.Leads.FindAsync([message.LeadId], c) is { } lead)
                            await engagement.RecordAsync(lead, ActivityKind.EmailSent, $"Email \"{message.Subject}\" sent",
                                new { subject = message.Subject, to = message.ToAddress, messageId = message.MessageIdHeader, reply = message.SmtpReply,
                                    broadcast = message.BroadcastId is { } b ? await db.Broadcasts.Where(x => x.Id == b).Select(x => x.Key).SingleAsync(c) : null },
                                message.Id, message.SequenceId, message.StepId, c);
                        break;
                    case DeliveryOutcome.RetryLater when message.Attempts < 8:
                        message.Status = MessageStatus.Scheduled;
                        message.NotBefore = now + Backoff(message.Attempts);
                        work.WorkDueAt(message.NotBefore);
                        LogRetry(logger, message.Id, message.LeadId, message.Attempts, message.NotBefore, ReplyCode(result.Reply));
                        break;
                    default:
                        message.Status = result.Outcome == DeliveryOutcome.Unknown ? MessageStatus.Unknown : MessageStatus.Failed;
                        message.Error = Truncate(result.Reply);
                        timeline.Add(message.LeadId, ActivityKind.EmailFailed, $"Email \"{message.Subject}\" failed: {message.Error}",
                            new { status = message.Status.ToString().ToLowerInvariant(), reason = message.Error }, message.Id, message.SequenceId, message.StepId);
                        if (result.Outcome == DeliveryOutcome.Rejected && wasMarked && message.Kind == MessageKind.Marketing
                            && await db.Leads.FindAsync([message.LeadId], c) is { } bounced)
                        {
                            // A 5xx at send time is a bounce like any other, classified by its enhanced code and words.
                            var verdict = BounceClassifier.Classify(null, result.Reply);
                            await services.GetRequiredService<DeliveryFeedback>().BounceAsync(bounced, message.ToAddress, message, verdict.Hard,
                                verdict.Status, verdict.Reason, verdict.Category, "smtp", c);
                        }
                        break;
                }
            }
        }, ct);
        foreach (var m in messages)
            metrics.Email(m.Status == MessageStatus.Scheduled ? "retry" : m.Status.ToString().ToLowerInvariant(), KindTag(m.Kind));
    }

    private static Message Copy(Message m) => new()
    {
        Id = m.Id, LeadId = m.LeadId, EnrollmentId = m.EnrollmentId, SequenceId = m.SequenceId, StepId = m.StepId, TemplateVersionId = m.TemplateVersionId, BroadcastId = m.BroadcastId,
        Kind = m.Kind, Status = m.Status, ToAddress = m.ToAddress, FromAddress = m.FromAddress, FromName = m.FromName, Subject = m.Subject,
        Html = m.Html, Text = m.Text, Links = m.Links, MessageIdHeader = m.MessageIdHeader, CreatedAt = m.CreatedAt, NotBefore = m.NotBefore,
        Attempts = m.Attempts, LeaseOwner = m.LeaseOwner, LeaseUntil = m.LeaseUntil, SentAt = m.SentAt, SmtpReply = m.SmtpReply, Error = m.Error,
    };

    /// <summary>30 s, 1 min, 2 min, ... capped at 1 h.</summary>
    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));

    private static string KindTag(MessageKind kind) => kind == MessageKind.Marketing ? "marketing" : "internal";

    /// <summary>The reply's status code only: the rest of an SMTP reply often repeats the recipient's address.</summary>
    private static string ReplyCode(string? reply) => reply?.Split(' ', 2)[0] ?? "";

    private static string? Truncate(string? s) => s is { Length: > 1000 } ? s[..1000] : s;

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording a batch of SMTP outcomes failed; recording them one by one")]
    static partial void LogRecordBatchFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording the SMTP outcome of message {MessageId} failed; the sweep will settle it as unknown")]
    static partial void LogRecordFailed(ILogger logger, Guid messageId, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: no new sends; sends in flight run to their end")]
    static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: released {Count} claimed message(s) to other workers")]
    static partial void LogReleased(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: its outcome arrived after the sweep settled it; left as the sweep recorded it")]
    static partial void LogOutcomeStale(ILogger logger, Guid messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} to lead {LeadId} sent")]
    static partial void LogSent(ILogger logger, Guid messageId, Guid leadId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} to lead {LeadId} not sent (attempt {Attempt}, reply {ReplyCode}); retrying at {NotBefore:u}")]
    static partial void LogRetry(ILogger logger, Guid messageId, Guid leadId, int attempt, DateTimeOffset notBefore, string replyCode);
}
