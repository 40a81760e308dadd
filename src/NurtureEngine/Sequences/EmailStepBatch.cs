using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;
using NurtureEngine.Suppressions;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sequences;

/// <summary>
/// The common case of a due batch, set-based: an email step that is a plain send (the lead may receive it;
/// no suppression, topic opt-out, out-of-office return date, send window or sending limit holds it; no exit condition can hold) followed
/// by a wait. The emails are rendered in memory and written with one COPY into the outbox, one into the
/// timeline and one UPDATE of the positions, in the batch's transaction: a handful of statements for the whole
/// batch instead of several per enrollment. Anything else, and anything this cannot decide on its own, is
/// left to the general runner: <see cref="RunAsync"/> returns those enrollments, in their order.
/// </summary>
public sealed class EmailStepBatch(
    NurtureDbContext db, SequenceCatalog catalog, MessageFactory messages, EmailComposer composer, OutboxWriter outbox, TimelineWriter timeline,
    EventObservers observers, Webhooks.WebhookSubscriptionCache webhooks, InstallationSettings settings, IOptions<NurtureOptions> options,
    UnitOfWork work, TimeProvider clock)
{
    private sealed record Candidate(Enrollment Enrollment, Lead Lead, SequenceDefinition Definition, Step Email, Step Wait);

    /// <param name="ids">Claimed enrollments, their leads locked.</param>
    /// <param name="usedSlots">(enrollment, step, pass) outbox slots already taken; the slots used here are added.</param>
    /// <param name="handoff">The lanes of the drain running this batch, if any: the emails go to them once the batch commits.</param>
    public async Task<List<long>> RunAsync(List<long> ids, HashSet<(long EnrollmentId, string StepId, int Pass)> usedSlots, OutboxHandoff? handoff, CancellationToken ct)
    {
        if (ids.Count == 0 || !await QuietAsync(ct)) return ids;
        var now = clock.GetUtcNow();
        var candidates = await CandidatesAsync(ids, usedSlots, now, ct);
        candidates = await WithoutHeldAsync(candidates, now, ct);
        if (candidates.Count == 0) return ids;

        var queued = new List<Message>(candidates.Count);
        var rows = new List<Activity>(candidates.Count);
        var moves = new List<(long Id, string WaitStep, DateTimeOffset Until)>(candidates.Count);
        foreach (var (enrollment, lead, definition, email, wait) in candidates)
        {
            var templateKey = VariantPicker.Pick(email, lead.Id);
            if (await composer.LatestVersionAsync(templateKey, ct) is not { } version) continue; // the general runner stops it, saying why
            Message message;
            try
            {
                message = await messages.ComposeAsync(lead, lead.Email, version, MessageKind.Marketing, enrollment, email.Id, ct);
            }
            catch (TemplateRenderException)
            {
                continue; // the general runner records the failure (or retries a timeout)
            }
            queued.Add(message);
            var variant = email.Variants is { Count: > 0 } ? templateKey : null;
            rows.Add(timeline.Create(lead.Id, ActivityKind.EmailScheduled,
                variant is null ? $"Email \"{message.Subject}\" queued" : $"Email \"{message.Subject}\" queued (A/B variant {templateKey})",
                new { step = email.Id, template = templateKey, variant }, message.Id, enrollment.SequenceId, email.Id));
            moves.Add((enrollment.Id, wait.Id, Pg.Microseconds(WaitClock.End(wait.Duration!, lead.TimeZone ?? settings.Nurture.DefaultTimeZone, now))));
        }
        if (queued.Count == 0) return ids;

        if (handoff is not null && handoff.HasRoomFor(queued.Count))
        {
            foreach (var m in queued) (m.LeaseOwner, m.LeaseUntil) = (handoff.Owner, now + handoff.Lease);
            work.AfterCommit(() => handoff.Offer(queued));
        }
        await outbox.WriteAsync(queued, ct);
        await timeline.CopyAsync(rows, ct);
        var moved = moves.Select(m => m.Id).ToArray();
        var steps = moves.Select(m => m.WaitStep).ToArray();
        var untils = moves.Select(m => m.Until).ToArray();
        // The email step and the start of the wait: two steps run, the enrollment now waiting at the wait step.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.enrollment e SET current_step_id = u.step, wait_until = u.until, next_step_at = u.until, steps_run = e.steps_run + 2
            FROM unnest({moved}, {steps}, {untils}) AS u(id, step, until)
            WHERE e.id = u.id
            """, ct);
        work.WorkDueAt(untils.Min());
        foreach (var m in queued) usedSlots.Add((m.EnrollmentId!.Value, m.StepId!, m.Pass));
        var done = moved.ToHashSet();
        return ids.Where(id => !done.Contains(id)).ToList();
    }

    /// <summary>Nothing reacts to <c>email_scheduled</c> (no webhook, rule, trigger or condition names it), so its rows may skip the unit of work.</summary>
    private async Task<bool> QuietAsync(CancellationToken ct) =>
        !(await webhooks.GetAsync(db, ct)).Any(s => s.Wants(ActivityKind.EmailScheduled, ActivityKind.EmailScheduled))
        && !await observers.ObservedAsync(ActivityKind.EmailScheduled, ct);

    /// <summary>Email steps followed by a wait, whose slot is free, whose lead may receive marketing now, inside the send window and free of sending limits.</summary>
    private async Task<List<Candidate>> CandidatesAsync(List<long> ids, HashSet<(long, string, int)> usedSlots, DateTimeOffset now, CancellationToken ct)
    {
        var enrollments = await db.Enrollments.AsNoTracking().Where(e => ids.Contains(e.Id)).ToListAsync(ct);
        var leadIds = enrollments.Select(e => e.LeadId).Distinct().ToList();
        var leads = await db.Leads.AsNoTracking().Where(l => leadIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        var limited = settings.Nurture.FrequencyCap.MaxEmails > 0 || settings.Nurture.DomainThrottlePerMinute > 0;
        var candidates = new List<Candidate>();
        foreach (var enrollment in enrollments)
        {
            if (enrollment.Status != EnrollmentStatus.Active || !leads.TryGetValue(enrollment.LeadId, out var lead) || !lead.CanReceiveMarketing) continue;
            if (lead.AwayUntil > now) continue; // out of office: the general runner delays it, saying why
            var definition = await catalog.GetVersionAsync(db, enrollment.SequenceVersionId, ct);
            var at = definition.Steps.FindIndex(s => s.Id == enrollment.CurrentStepId);
            if (at < 0 || at + 1 >= definition.Steps.Count) continue;
            var (email, wait) = (definition.Steps[at], definition.Steps[at + 1]);
            if (email.Type != StepType.Email || wait.Type != StepType.Wait || (limited && !email.Transactional)) continue;
            if (usedSlots.Contains((enrollment.Id, email.Id, enrollment.Pass))) continue;
            if (!(definition.ExitWhen ?? []).All(ExitEvidence.NeedsEvidence)) continue;
            var (sendAt, _) = SendWindowCalculator.NextSendTime(definition.SendWindow, lead.TimeZone ?? settings.Nurture.DefaultTimeZone, now,
                email.Transactional ? [] : options.Value.Holidays);
            if (sendAt > now) continue;
            candidates.Add(new Candidate(enrollment, lead, definition, email, wait));
        }
        return candidates;
    }

    /// <summary>
    /// Drops the candidates whose address is on the suppression list or who left the sequence's topic (the general
    /// runner records why), and those for whom something has happened since they enrolled that an exit condition
    /// looks at (the general runner evaluates it): one query each for the whole batch.
    /// </summary>
    private async Task<List<Candidate>> WithoutHeldAsync(List<Candidate> candidates, DateTimeOffset now, CancellationToken ct)
    {
        if (candidates.Count == 0) return candidates;
        var hashes = candidates.Select(c => SuppressionList.Hash(c.Lead.Email)).Distinct().ToList();
        var listed = (await db.Suppressions.AsNoTracking().Where(s => hashes.Contains(s.AddressHash)).Select(s => s.AddressHash).ToListAsync(ct)).ToHashSet();
        var leadIds = candidates.Select(c => c.Lead.Id).Distinct().ToList();
        var topics = candidates.Select(c => c.Definition.Topic).OfType<string>().Distinct().ToList();
        var optedOut = topics.Count == 0 ? [] : (await db.TopicOptOuts.AsNoTracking().Where(o => leadIds.Contains(o.LeadId) && topics.Contains(o.Topic))
            .Select(o => new { o.LeadId, o.Topic }).ToListAsync(ct)).Select(o => (o.LeadId, o.Topic)).ToHashSet();
        candidates = candidates.Where(c => !listed.Contains(SuppressionList.Hash(c.Lead.Email))
            && !(c.Definition.Topic is { } topic && optedOut.Contains((c.Lead.Id, topic)))).ToList();

        var watched = candidates.Where(c => c.Definition.ExitWhen is { Count: > 0 }).ToList();
        if (watched.Count == 0) return candidates;
        var touched = await ExitEvidence.TouchedAsync(db, [.. watched.Select(c => c.Enrollment.Id)], [.. watched.SelectMany(c => c.Definition.ExitWhen!)], now, ct);
        return candidates.Where(c => !touched.Contains(c.Enrollment.Id)).ToList();
    }
}
