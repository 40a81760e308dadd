using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;

namespace NurtureEngine.Automation;

/// <summary>Puts leads into sequences and takes them out, with the reason on the timeline.</summary>
public sealed class Enroller(NurtureDbContext db, TimelineWriter timeline, UnitOfWork work, SequenceCatalog catalog, TimeProvider clock)
{
    public async Task<Enrollment?> EnrollAsync(Lead lead, Sequence sequence, string reason, CancellationToken ct)
    {
        var version = await db.SequenceVersions.AsNoTracking()
            .SingleAsync(v => v.SequenceId == sequence.Id && v.Version == sequence.CurrentVersion, ct);
        var definition = await catalog.GetVersionAsync(db, version.Id, ct);
        var previous = await db.Enrollments.Where(e => e.LeadId == lead.Id && e.SequenceId == sequence.Id)
            .Select(e => e.Status).ToListAsync(ct);
        if (previous.Contains(EnrollmentStatus.Active)) return null;
        if (previous.Count > 0 && !definition.Reenroll)
        {
            // The trigger matched, but the lead has been through this sequence: say so, or "why no welcome?" has no answer.
            timeline.Add(lead.Id, ActivityKind.NotEnrolled, $"Not enrolled again in \"{sequence.Name}\" ({reason}): the lead has been in it before and reenroll is off",
                new { sequence = sequence.Key, version = sequence.CurrentVersion, reason, rule = "reenroll is off" }, sequenceId: sequence.Id);
            return null;
        }

        var now = clock.GetUtcNow();
        var enrollment = new Enrollment
        {
            LeadId = lead.Id,
            SequenceId = sequence.Id,
            SequenceVersionId = version.Id,
            CurrentStepId = definition.Steps.FirstOrDefault()?.Id,
            NextStepAt = now,
            EnrolledAt = now,
        };
        db.Enrollments.Add(enrollment);
        timeline.Add(lead.Id, ActivityKind.Enrolled, $"Enrolled in \"{sequence.Name}\": {reason}",
            new { sequence = sequence.Key, version = sequence.CurrentVersion, reason }, sequenceId: sequence.Id);
        await db.SaveChangesAsync(ct);
        work.WorkDueAt(now);
        return enrollment;
    }

    /// <summary>
    /// The set-based paths' enrollment: these leads enter the sequence version at its first step, due now, with one
    /// statement (the caller has decided each may enter and writes their <c>enrolled</c> rows).
    /// </summary>
    public static async Task EnrollManyAsync(NurtureDbContext db, UnitOfWork work, long sequenceId, long versionId, string? firstStep, Guid[] leadIds,
        DateTimeOffset now, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO nurture.enrollment (lead_id, sequence_id, sequence_version_id, current_step_id, next_step_at, enrolled_at, status, steps_run, pass)
            SELECT id, {sequenceId}, {versionId}, {firstStep}, {now}, {now}, {nameof(EnrollmentStatus.Active)}, 0, 0 FROM unnest({leadIds}) AS id
            """, ct);
        work.WorkDueAt(now);
    }

    /// <summary>
    /// Ends an active enrollment once. The end is claimed by a conditional update in the database: a
    /// concurrent exit of the same enrollment (an unenroll racing an exit condition) waits on the row
    /// lock, then finds it no longer active and writes nothing, so <c>exited</c> is recorded once.
    /// </summary>
    public async Task<bool> ExitAsync(Enrollment enrollment, string sequenceName, string reason, EnrollmentStatus status, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var claimed = await db.Enrollments.Where(e => e.Id == enrollment.Id && e.Status == EnrollmentStatus.Active)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, status), ct);
        if (claimed == 0)
        {
            await db.Entry(enrollment).ReloadAsync(ct);
            return false;
        }
        enrollment.Status = status;
        enrollment.EndReason = reason;
        enrollment.EndedAt = now;
        enrollment.NextStepAt = null;
        enrollment.WaitUntil = null;
        var verb = status == EnrollmentStatus.Completed ? "Completed" : "Left";
        timeline.Add(enrollment.LeadId, ActivityKind.Exited, $"{verb} \"{sequenceName}\": {reason}",
            new { sequenceId = enrollment.SequenceId, reason, status = status.ToString().ToLowerInvariant() },
            sequenceId: enrollment.SequenceId);
        await db.SaveChangesAsync(ct);
        return true;
    }
}
