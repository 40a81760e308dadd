using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;
using NurtureEngine.Telemetry;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sequences;

/// <summary>
/// Runs due steps. Due enrollments are claimed in batches with <c>FOR UPDATE SKIP LOCKED</c>, so any
/// number of workers share the work and a tick costs what is due, not what is waiting. All of an
/// enrollment's step effects commit with its new position, and an email step's outbox row is unique
/// per (enrollment, step): a replayed batch can never email twice.
/// </summary>
public sealed partial class SequenceRunner(
    NurtureDbContext db, UnitOfWork work, SequenceCatalog catalog, SequenceReactions reactions, ConditionEvaluator conditions,
    EmailStepBatch emailSteps, Enroller enroller, StageMover stages, ScoreKeeper scores, MessageFactory messages, EmailComposer composer,
    TimelineWriter timeline, Tasks.TaskService tasks, Sales.AssignOwnerStep owners, Suppressions.SuppressionList suppressions, Forms.ConfirmationHold confirmations, NurtureMetrics metrics, IOptions<NurtureOptions> options, InstallationSettings settings, TimeProvider clock, ILogger<SequenceRunner> logger)
{
    private const int MaxStepsPerRun = 100;

    /// <summary>
    /// Claims and runs one batch; returns how many enrollments it ran. When the batch fails, only its own
    /// enrollments are run again, one transaction each, so the one at fault is found and stopped while the
    /// others go on. A transient fault (the database away, a timeout) stops nothing: the work stays due and
    /// is retried by the next drain.
    /// </summary>
    /// <param name="handoff">The SMTP lanes of the drain calling, if any: the common case's emails go straight to them.</param>
    public async Task<int> RunDueBatchAsync(CancellationToken ct, OutboxHandoff? handoff = null)
    {
        List<long> batch = [];
        try
        {
            return await work.RunAsync(async c =>
            {
                var claimed = await ClaimAsync(options.Value.BatchSize, c);
                metrics.Claimed("enrollments", claimed.Count);
                var ids = await LockLeadsAsync(claimed, c);
                batch = ids;
                await PreloadAsync(ids, c);
                // The common case first, set-based; the general path runs what it left, step by step.
                var rest = _batch is null ? ids : await emailSteps.RunAsync(ids, _batch.ExistingMessages, handoff, c);
                // A failure fails the whole batch (it is rerun one by one below): savepoints per save buy nothing.
                var savepoints = db.Database.AutoSavepointsEnabled;
                db.Database.AutoSavepointsEnabled = false;
                try
                {
                    foreach (var chunk in rest.Chunk(ChunkTracking.ChunkSize)) await RunChunkAsync(chunk, c);
                }
                finally
                {
                    db.Database.AutoSavepointsEnabled = savepoints;
                    _batch = null;
                }
                return ids.Count;
            }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && Transient.Is(e))
        {
            LogTransient(logger, e.Message);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogBatchFailed(logger, e);
            var count = 0;
            foreach (var id in batch)
            {
                if (ct.IsCancellationRequested) break;
                if (await RunOneIsolatedAsync(id, ct)) count++;
            }
            return count;
        }
    }

    /// <summary>Runs one enrollment of a failed batch on its own; stops it when it fails for a reason of its own.</summary>
    private async Task<bool> RunOneIsolatedAsync(long id, CancellationToken ct)
    {
        Exception failure;
        try
        {
            return await work.RunAsync(async c =>
            {
                var now = clock.GetUtcNow();
                var claimed = await db.Database.SqlQuery<long>($"""
                    SELECT e.id AS "Value" FROM nurture.enrollment e
                    WHERE e.id = {id} AND e.status = 'Active' AND e.next_step_at <= {now}
                    FOR UPDATE SKIP LOCKED
                    """).ToListAsync(c);
                if ((await LockLeadsAsync(claimed, c)).Count == 0) return false;
                await RunEnrollmentAsync(id, c);
                return true;
            }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && Transient.Is(e))
        {
            LogTransient(logger, e.Message);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e;
        }
        await work.RunAsync(async c =>
        {
            var enrollment = await db.Enrollments.SingleAsync(x => x.Id == id, c);
            var name = await db.Sequences.Where(s => s.Id == enrollment.SequenceId).Select(s => s.Name).SingleAsync(c);
            LogEnrollmentFailed(logger, enrollment.Id, failure);
            // The innermost message: EF's own ("An error occurred while saving the entity changes") names no cause.
            await enroller.ExitAsync(enrollment, name, $"stopped by an error at step {enrollment.CurrentStepId}: {failure.GetBaseException().Message}", EnrollmentStatus.Failed, c);
        }, ct);
        return true;
    }

    /// <summary>Runs the due enrollments of one lead only, inside the caller's transaction (simulation).</summary>
    public async Task<int> RunDueForLeadAsync(Guid leadId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ids = await db.Database.SqlQuery<long>($"""
            SELECT e.id AS "Value" FROM nurture.enrollment e
            JOIN nurture.sequence s ON s.id = e.sequence_id AND s.status = 'Active'
            WHERE e.lead_id = {leadId} AND e.status = 'Active' AND e.next_step_at <= {now}
            ORDER BY e.next_step_at FOR UPDATE OF e
            """).ToListAsync(ct);
        foreach (var id in ids) await RunEnrollmentAsync(id, ct);
        return ids.Count;
    }

    private Task<List<long>> ClaimAsync(int limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return db.Database.SqlQuery<long>($"""
            SELECT e.id AS "Value" FROM nurture.enrollment e
            JOIN nurture.sequence s ON s.id = e.sequence_id AND s.status = 'Active'
            WHERE e.status = 'Active' AND e.next_step_at <= {now}
            ORDER BY e.next_step_at
            LIMIT {limit}
            FOR UPDATE OF e SKIP LOCKED
            """).ToListAsync(ct);
    }

    /// <summary>
    /// Locks the leads of the claimed enrollments (a step may change its lead's score, tags or stage), skipping
    /// leads another transaction holds: those enrollments stay due and run a second later, so a worker never
    /// waits on an event or API call for the same lead (nor deadlocks with one). Returns the runnable ids.
    /// </summary>
    private async Task<List<long>> LockLeadsAsync(List<long> claimed, CancellationToken ct)
    {
        if (claimed.Count == 0) return claimed;
        var ids = claimed.ToArray();
        var runnable = await db.Database.SqlQuery<long>($"""
            WITH locked AS MATERIALIZED (
                SELECT l.id FROM nurture.lead l
                WHERE l.id IN (SELECT lead_id FROM nurture.enrollment WHERE id = ANY({ids}))
                FOR UPDATE SKIP LOCKED)
            SELECT e.id AS "Value" FROM nurture.enrollment e JOIN locked ON locked.id = e.lead_id
            WHERE e.id = ANY({ids}) ORDER BY e.next_step_at, e.id
            """).ToListAsync(ct);
        if (runnable.Count < claimed.Count) work.WorkDueAt(clock.GetUtcNow().AddSeconds(1));
        return runnable;
    }

    /// <summary>What a claimed batch needs, loaded with one query per table instead of several per enrollment.</summary>
    private sealed class BatchData
    {
        public required Dictionary<long, string> SequenceNames { get; init; }
        public required HashSet<(long EnrollmentId, string StepId, int Pass)> ExistingMessages { get; init; }
    }

    private BatchData? _batch;

    /// <summary>
    /// A few enrollments at a time (<see cref="ChunkTracking"/>): their enrollments and leads are loaded
    /// tracked, so FindAsync needs no query each, and what each run wrote is forgotten once saved.
    /// </summary>
    private async Task RunChunkAsync(long[] ids, CancellationToken ct)
    {
        var enrollments = await db.Enrollments.Where(e => ids.Contains(e.Id)).ToListAsync(ct);
        var leadIds = enrollments.Select(e => e.LeadId).Distinct().ToList();
        var keep = ChunkTracking.Keep(enrollments, await db.Leads.Where(l => leadIds.Contains(l.Id)).ToListAsync(ct));
        foreach (var id in ids)
        {
            await RunEnrollmentAsync(id, ct);
            await db.ForgetSavedAsync(keep, ct);
        }
        db.ChangeTracker.Clear();
    }

    private async Task PreloadAsync(List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        var names = await db.Sequences.Where(s => db.Enrollments.Any(e => ids.Contains(e.Id) && e.SequenceId == s.Id))
            .Select(s => new { s.Id, s.Name }).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var existing = await db.Messages.Where(m => m.EnrollmentId != null && ids.Contains(m.EnrollmentId.Value) && m.StepId != null)
            .Select(m => new { EnrollmentId = m.EnrollmentId!.Value, StepId = m.StepId!, m.Pass }).ToListAsync(ct);
        _batch = new BatchData { SequenceNames = names, ExistingMessages = existing.Select(m => (m.EnrollmentId, m.StepId, m.Pass)).ToHashSet() };
    }

    /// <summary>The step's outbox slot is taken (before this batch, or by a message this batch created).</summary>
    private async Task<bool> MessageExistsAsync(Enrollment enrollment, string stepId, CancellationToken ct)
    {
        if (_batch is null) return await messages.ExistsAsync(enrollment, stepId, ct);
        return _batch.ExistingMessages.Contains((enrollment.Id, stepId, enrollment.Pass));
    }

    private async Task RunEnrollmentAsync(long id, CancellationToken ct)
    {
        using var span = NurtureMetrics.Tracing.StartActivity("enrollment.run");
        var enrollment = await db.Enrollments.FindAsync([id], ct) ?? throw new InvalidOperationException($"enrollment {id} not found");
        span?.SetTag("nurture.enrollment_id", id);
        span?.SetTag("nurture.lead_id", enrollment.LeadId);
        span?.SetTag("nurture.sequence_id", enrollment.SequenceId);
        var lead = await db.Leads.FindAsync([enrollment.LeadId], ct) ?? throw new InvalidOperationException($"lead {enrollment.LeadId} not found");
        var definition = await catalog.GetVersionAsync(db, enrollment.SequenceVersionId, ct);
        var sequenceName = _batch?.SequenceNames.GetValueOrDefault(enrollment.SequenceId)
            ?? await db.Sequences.Where(s => s.Id == enrollment.SequenceId).Select(s => s.Name).SingleAsync(ct);

        var recheckExit = true;
        for (var i = 0; i < MaxStepsPerRun && enrollment.Status == EnrollmentStatus.Active; i++)
        {
            if (recheckExit && await reactions.ExitReasonAsync(definition, lead, enrollment, ct) is { } exitReason)
            {
                await enroller.ExitAsync(enrollment, sequenceName, exitReason, EnrollmentStatus.Exited, ct);
                return;
            }
            var step = enrollment.CurrentStepId is null ? null : definition.Steps.FirstOrDefault(s => s.Id == enrollment.CurrentStepId);
            if (step is null)
            {
                await enroller.ExitAsync(enrollment, sequenceName, "all steps done", EnrollmentStatus.Completed, ct);
                return;
            }
            var outcome = await RunStepAsync(step, definition, enrollment, lead, sequenceName, ct);
            enrollment.StepsRun++;
            recheckExit = MayChangeLead(step.Type);
            switch (outcome)
            {
                case StepOutcome.Next next:
                    enrollment.CurrentStepId = next.StepId ?? NextInOrder(definition, step);
                    enrollment.WaitUntil = null;
                    // Back to an earlier step (or the same one): a loop starts its next pass.
                    if (next.StepId is not null && definition.IndexOf(next.StepId) <= definition.IndexOf(step.Id)) enrollment.Pass++;
                    break;
                case StepOutcome.WaitUntil wait:
                    enrollment.NextStepAt = wait.At;
                    await db.SaveChangesAsync(ct);
                    work.WorkDueAt(wait.At);
                    return;
                case StepOutcome.End end:
                    await enroller.ExitAsync(enrollment, sequenceName, end.Reason, end.Status, ct);
                    return;
            }
            await db.SaveChangesAsync(ct);
        }
        if (enrollment.Status == EnrollmentStatus.Active)
        {
            // Validation refuses loops without a wait; this bound is the last line of defence.
            enrollment.NextStepAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// Whether a step can change what exitWhen conditions look at (stage, score, tags and the segments
    /// built on them). Within one run the clock stands still, so after any other step the conditions
    /// would give the same answer as before it.
    /// </summary>
    private static bool MayChangeLead(string type) =>
        type is not (StepType.Email or StepType.Wait or StepType.Branch or StepType.Goto or StepType.Task or StepType.NotifyOwner);

    private static string? NextInOrder(SequenceDefinition d, Step step)
    {
        var i = d.IndexOf(step.Id);
        return i + 1 < d.Steps.Count ? d.Steps[i + 1].Id : null;
    }

    private abstract record StepOutcome
    {
        public sealed record Next(string? StepId = null) : StepOutcome;
        public sealed record WaitUntil(DateTimeOffset At) : StepOutcome;
        public sealed record End(string Reason, EnrollmentStatus Status) : StepOutcome;
    }

    private async Task<StepOutcome> RunStepAsync(Step step, SequenceDefinition definition, Enrollment enrollment, Lead lead, string sequenceName, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        switch (step.Type)
        {
            case StepType.Email:
                return await RunEmailStepAsync(step, definition, enrollment, lead, ct);
            case StepType.Wait:
                if (enrollment.WaitUntil is null)
                {
                    // PostgreSQL keeps microseconds: the in-memory value must equal the stored one.
                    var until = Pg.Microseconds(WaitClock.End(step.Duration!, lead.TimeZone ?? settings.Nurture.DefaultTimeZone, now));
                    enrollment.WaitUntil = until;
                    return new StepOutcome.WaitUntil(until);
                }
                return enrollment.WaitUntil <= now ? new StepOutcome.Next() : new StepOutcome.WaitUntil(enrollment.WaitUntil.Value);
            case StepType.Branch:
            {
                var holds = await conditions.EvaluateAsync(step.If!, lead, enrollment, ct);
                var target = holds ? step.Then! : step.Else!;
                timeline.Add(lead.Id, ActivityKind.Branch,
                    $"\"{sequenceName}\" step {step.Id}: {SequenceReactions.Describe(step.If!)} is {(holds ? "true" : "false")}, going to {target}",
                    new { step = step.Id, condition = step.If!.Type, result = holds, next = target }, sequenceId: enrollment.SequenceId, stepId: step.Id);
                return new StepOutcome.Next(target);
            }
            case StepType.Goto:
            {
                var back = definition.IndexOf(step.To!) <= definition.IndexOf(step.Id);
                timeline.Add(lead.Id, ActivityKind.Goto, $"\"{sequenceName}\" step {step.Id}: going to {step.To}{(back ? $" (round {enrollment.Pass + 2})" : "")}",
                    new { step = step.Id, next = step.To, round = enrollment.Pass + (back ? 2 : 1) }, sequenceId: enrollment.SequenceId, stepId: step.Id);
                return new StepOutcome.Next(step.To);
            }
            case StepType.Stage:
            {
                var pipelineKey = step.Pipeline ?? definition.Trigger?.Pipeline;
                var stage = await db.Stages.Include(s => s.Pipeline)
                    .Where(s => s.Key == step.Stage && (pipelineKey == null ? s.PipelineId == lead.PipelineId : s.Pipeline.Key == pipelineKey))
                    .FirstOrDefaultAsync(ct);
                if (stage is null || !await stages.MoveAsync(lead, stage, StageChangeCause.Sequence, forwardOnly: true, ct))
                    timeline.Add(lead.Id, ActivityKind.StepSkipped, $"\"{sequenceName}\" step {step.Id}: lead already at or past stage {step.Stage}",
                        new { step = step.Id }, sequenceId: enrollment.SequenceId, stepId: step.Id);
                return enrollment.Status == EnrollmentStatus.Active ? new StepOutcome.Next() : new StepOutcome.End("left during stage change", enrollment.Status);
            }
            case StepType.Score:
                await scores.AddAsync(lead, step.Points ?? 0, $"sequence {sequenceName}, step {step.Id}", null, ct);
                return new StepOutcome.Next();
            case StepType.Tag:
            {
                var added = (step.Add ?? []).Except(lead.Tags).ToList();
                lead.Tags = lead.Tags.Except(step.Remove ?? []).Union(step.Add ?? []).ToList();
                lead.UpdatedAt = now;
                timeline.Add(lead.Id, ActivityKind.Updated, $"Tags changed by \"{sequenceName}\" step {step.Id}",
                    new { fields = new[] { "tags" }, add = step.Add, remove = step.Remove, cause = "sequence" }, sequenceId: enrollment.SequenceId, stepId: step.Id);
                await db.SaveChangesAsync(ct);
                await reactions.OnTagsAddedAsync(lead, added, ct);
                await reactions.LeadChangedAsync(lead, ct);
                return enrollment.Status == EnrollmentStatus.Active ? new StepOutcome.Next() : new StepOutcome.End("left after a tag change", enrollment.Status);
            }
            case StepType.NotifyOwner:
                await NotifyOwnerAsync(step, enrollment, lead, sequenceName, ct);
                return new StepOutcome.Next();
            case StepType.Task:
                await tasks.CreateForStepAsync(lead, enrollment, step, sequenceName, ct);
                return new StepOutcome.Next();
            case StepType.AssignOwner:
                await owners.RunAsync(step, enrollment, lead, sequenceName, ct);
                return new StepOutcome.Next();
            case StepType.Exit:
                return new StepOutcome.End($"exit step {step.Id}", EnrollmentStatus.Completed);
            default:
                timeline.Add(lead.Id, ActivityKind.StepSkipped, $"\"{sequenceName}\" step {step.Id}: step type {step.Type} is not supported yet",
                    new { step = step.Id }, sequenceId: enrollment.SequenceId, stepId: step.Id);
                return new StepOutcome.Next();
        }
    }

    private async Task<StepOutcome> RunEmailStepAsync(Step step, SequenceDefinition definition, Enrollment enrollment, Lead lead, CancellationToken ct)
    {
        if (await MessageExistsAsync(enrollment, step.Id, ct)) return new StepOutcome.Next();
        var now = clock.GetUtcNow();
        if (await confirmations.OpenUntilAsync(lead, ct) is { } confirmBy && confirmBy > now)
        {
            timeline.Add(lead.Id, ActivityKind.EmailDelayed, $"Email of step {step.Id} waits for the lead to confirm the subscription (double opt-in), at most until {confirmBy:u}",
                new { step = step.Id, until = confirmBy, reason = "awaiting confirmation" }, sequenceId: enrollment.SequenceId, stepId: step.Id);
            return new StepOutcome.WaitUntil(confirmBy);
        }
        var suppressedBecause = !lead.CanReceiveMarketing ? $"lead is {lead.Status.ToString().ToLowerInvariant()}" : await suppressions.ReasonAsync(lead, definition.Topic, ct);
        if (suppressedBecause is { } reason)
        {
            var suppressed = messages.CreateSuppressed(lead, enrollment, step.Id, reason);
            _batch?.ExistingMessages.Add((enrollment.Id, step.Id, enrollment.Pass));
            timeline.Add(lead.Id, ActivityKind.EmailSuppressed, $"Email of step {step.Id} not sent: {reason}",
                new { step = step.Id, reason }, suppressed.Id, enrollment.SequenceId, step.Id);
            metrics.Email("suppressed", "marketing");
            return new StepOutcome.Next();
        }
        if (!step.Transactional && lead.AwayUntil is { } back && back > now)
        {
            timeline.Add(lead.Id, ActivityKind.EmailDelayed, $"Email of step {step.Id} waits until {back:u}: the lead's out-of-office reply said when they are back",
                new { step = step.Id, until = back, reason = "out of office" }, sequenceId: enrollment.SequenceId, stepId: step.Id);
            return new StepOutcome.WaitUntil(back);
        }
        var (sendAt, waitReason) = SendWindowCalculator.NextSendTime(definition.SendWindow, lead.TimeZone ?? settings.Nurture.DefaultTimeZone, now,
            step.Transactional ? [] : options.Value.Holidays);
        if (sendAt > now)
        {
            var opening = Pg.Microseconds(sendAt);
            timeline.Add(lead.Id, ActivityKind.EmailDelayed, $"Email of step {step.Id} waits for the {waitReason} until {opening:u}",
                new { step = step.Id, until = opening, reason = waitReason }, sequenceId: enrollment.SequenceId, stepId: step.Id);
            return new StepOutcome.WaitUntil(opening);
        }
        if (!step.Transactional && await LimitAsync(lead, now, ct) is { } limit)
        {
            timeline.Add(lead.Id, ActivityKind.EmailDelayed, $"Email of step {step.Id} waits until {limit.Until:u}: {limit.Reason}",
                new { step = step.Id, until = limit.Until, reason = limit.Reason }, sequenceId: enrollment.SequenceId, stepId: step.Id);
            return new StepOutcome.WaitUntil(limit.Until);
        }
        var templateKey = VariantPicker.Pick(step, lead.Id);
        var version = await composer.LatestVersionAsync(templateKey, ct)
            ?? throw new InvalidOperationException($"template '{templateKey}' no longer exists");
        try
        {
            var message = await messages.CreateAsync(lead, lead.Email, version, MessageKind.Marketing, enrollment, step.Id, ct);
            _batch?.ExistingMessages.Add((enrollment.Id, step.Id, enrollment.Pass));
            timeline.Add(lead.Id, ActivityKind.EmailScheduled, step.Variants is { Count: > 0 } ? $"Email \"{message.Subject}\" queued (A/B variant {templateKey})" : $"Email \"{message.Subject}\" queued",
                new { step = step.Id, template = templateKey, variant = step.Variants is { Count: > 0 } ? templateKey : null },
                message.Id, enrollment.SequenceId, step.Id);
        }
        catch (TemplateRenderException e)
        {
            if (e.TimedOut && await RenderRetry.NextAttemptAsync(db, enrollment, step.Id, now, ct) is { } retryAt)
            {
                timeline.Add(lead.Id, ActivityKind.EmailDelayed, $"Email of step {step.Id} waits until {retryAt:u}: {RenderRetry.Reason}",
                    new { step = step.Id, until = retryAt, reason = RenderRetry.Reason }, sequenceId: enrollment.SequenceId, stepId: step.Id);
                return new StepOutcome.WaitUntil(retryAt);
            }
            timeline.Add(lead.Id, ActivityKind.EmailFailed, $"Email of step {step.Id} could not be rendered: {e.Error}",
                new { step = step.Id, template = templateKey, reason = e.Error.ToString() }, sequenceId: enrollment.SequenceId, stepId: step.Id);
        }
        return new StepOutcome.Next();
    }

    /// <summary>The frequency cap and domain throttle: a capped email waits, it is never dropped.</summary>
    private async Task<(DateTimeOffset Until, string Reason)?> LimitAsync(Lead lead, DateTimeOffset now, CancellationToken ct)
    {
        var cap = settings.Nurture.FrequencyCap;
        if (cap.MaxEmails > 0 && Iso8601Duration.TryParse(cap.Window) is { } window)
        {
            // Serialises concurrent workers counting for the same lead until this transaction commits.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({"lead:" + lead.Id}))", ct);
            var since = now - window;
            var recent = await db.Messages.Where(m => m.LeadId == lead.Id && m.Kind == MessageKind.Marketing && m.CreatedAt > since
                    && (m.Status == MessageStatus.Scheduled || m.Status == MessageStatus.Sending || m.Status == MessageStatus.Sent))
                .OrderByDescending(m => m.CreatedAt).Select(m => m.CreatedAt).Take(cap.MaxEmails).ToListAsync(ct);
            if (recent.Count >= cap.MaxEmails)
                return (recent[^1] + window, $"frequency cap: {cap.MaxEmails} marketing emails per {cap.Window}");
        }
        if (settings.Nurture.DomainThrottlePerMinute is > 0 and var perMinute)
        {
            var domain = "@" + lead.EmailNormalized[(lead.EmailNormalized.LastIndexOf('@') + 1)..];
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({"domain:" + domain}))", ct);
            var since = now.AddMinutes(-1);
            var recent = await db.Messages.Where(m => m.Kind == MessageKind.Marketing && m.CreatedAt > since && m.ToAddress.ToLower().EndsWith(domain)
                    && m.Status != MessageStatus.Suppressed)
                .OrderByDescending(m => m.CreatedAt).Select(m => m.CreatedAt).Take(perMinute).ToListAsync(ct);
            if (recent.Count >= perMinute)
                return (recent[^1].AddMinutes(1), $"domain throttle: {perMinute} emails per minute to {domain[1..]}");
        }
        return null;
    }

    private async Task NotifyOwnerAsync(Step step, Enrollment enrollment, Lead lead, string sequenceName, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(lead.Owner))
        {
            timeline.Add(lead.Id, ActivityKind.StepSkipped, $"\"{sequenceName}\" step {step.Id}: the lead has no owner to notify",
                new { step = step.Id }, sequenceId: enrollment.SequenceId, stepId: step.Id);
            return;
        }
        if (await MessageExistsAsync(enrollment, step.Id, ct)) return;
        var version = await composer.LatestVersionAsync(step.Template!, ct) ?? throw new InvalidOperationException($"template '{step.Template}' no longer exists");
        var message = await messages.CreateAsync(lead, lead.Owner, version, MessageKind.Internal, enrollment, step.Id, ct);
        _batch?.ExistingMessages.Add((enrollment.Id, step.Id, enrollment.Pass));
        timeline.Add(lead.Id, ActivityKind.OwnerNotified, $"Owner {lead.Owner} notified: \"{message.Subject}\"", new { step = step.Id, owner = lead.Owner },
            message.Id, enrollment.SequenceId, step.Id);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Due steps not run now, they stay due and are retried: {Reason}")]
    static partial void LogTransient(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of due steps failed; running its enrollments one by one")]
    static partial void LogBatchFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Enrollment {EnrollmentId} stopped by an error")]
    static partial void LogEnrollmentFailed(ILogger logger, long enrollmentId, Exception? e);
}
