using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Sales;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Automation;

/// <summary>
/// The stage moves an event batch's points cause (thresholds), set-based: what <see cref="StageMover"/> and
/// <see cref="SequenceReactions"/> store for each lead, for the leads nothing else reacts to. That is: the stage has
/// no hand-off and the lead no pending one, there is no segment, no webhook wants the rows, no exit condition of the
/// lead's sequences can hold after the move (<see cref="ExitEvidence"/>), and none of the sequences the stage starts
/// can end at once. Then the leads' stages, their stage-change history and the new enrollments are a few statements
/// for the whole batch, and the timeline rows go to the caller's COPY. The caller records the other moves one by one.
/// </summary>
public sealed class ScoreMoveBatch(NurtureDbContext db, TimelineWriter timeline, UnitOfWork work, SequenceCatalog catalog,
    WebhookSubscriptionCache webhooks, TimeProvider clock)
{
    /// <summary>A threshold moves the (locked) lead forward within its pipeline.</summary>
    public sealed record Move(Lead Lead, Stage From, Stage To);

    /// <summary>A sequence entering the stage starts.</summary>
    private sealed record Entry(Sequence Sequence, long VersionId, SequenceDefinition Definition);

    private sealed record Known(long Id, Guid LeadId, long SequenceId, long SequenceVersionId, EnrollmentStatus Status);

    /// <summary>
    /// Stores the moves it can; returns each moved lead's timeline rows (its stage change, then what each sequence the
    /// stage starts did: enrolled, or not enrolled again), in the order the general path writes them. The moves it
    /// returns no rows for are not stored.
    /// </summary>
    public async Task<Dictionary<Guid, List<Activity>>> MoveAsync(IReadOnlyList<Move> moves, CancellationToken ct)
    {
        var rows = new Dictionary<Guid, List<Activity>>();
        if (moves.Count == 0 || !await QuietAsync(ct)) return rows;
        var now = clock.GetUtcNow();
        var starts = new Dictionary<long, (string Pipeline, List<Entry> Entries)?>();
        foreach (var to in moves.Select(m => m.To).DistinctBy(s => s.Id)) starts[to.Id] = await StartsAsync(to, ct);
        var candidates = moves.Where(m => starts[m.To.Id] is not null).ToList();
        var leadIds = candidates.Select(m => m.Lead.Id).ToList();
        var known = await db.Enrollments.AsNoTracking().Where(e => leadIds.Contains(e.LeadId))
            .Select(e => new Known(e.Id, e.LeadId, e.SequenceId, e.SequenceVersionId, e.Status)).ToListAsync(ct);
        var held = await HeldAsync(candidates, known, now, ct);
        candidates = candidates.Where(m => !held.Contains(m.Lead.Id)).ToList();
        if (candidates.Count == 0) return rows;

        var ids = candidates.Select(m => m.Lead.Id).ToArray();
        var pipelines = candidates.Select(m => m.To.PipelineId).ToArray();
        var positions = candidates.Select(m => m.To.Position).ToArray();
        var froms = candidates.Select(m => m.From.Id).ToArray();
        var tos = candidates.Select(m => m.To.Id).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.lead l SET pipeline_id = m.pipeline, stage_id = m.stage, stage_entered_at = {now}, updated_at = {now}
            FROM unnest({ids}, {pipelines}, {tos}) AS m(id, pipeline, stage) WHERE l.id = m.id
            """, ct);
        // As StageMover: the leads' earlier stints in the pipeline end now, those in earlier stages converted; the new row
        // knows when the lead last entered the stage. The CTE's UPDATE and the INSERT touch different rows.
        await db.Database.ExecuteSqlAsync($"""
            WITH moved AS (SELECT * FROM unnest({ids}, {pipelines}, {positions}, {froms}, {tos}) AS m(lead, pipeline, position, from_stage, to_stage)),
            earlier AS (
                UPDATE nurture.stage_change c
                SET left_at = CASE WHEN c.pipeline_id = m.pipeline AND c.left_at IS NULL THEN {now} ELSE c.left_at END,
                    converted = c.converted OR (s.pipeline_id = m.pipeline AND s.position < m.position)
                FROM moved m, nurture.stage s
                WHERE c.lead_id = m.lead AND s.id = c.to_stage_id
                  AND ((c.pipeline_id = m.pipeline AND c.left_at IS NULL)
                       OR (NOT c.converted AND s.pipeline_id = m.pipeline AND s.position < m.position)))
            INSERT INTO nurture.stage_change (lead_id, pipeline_id, from_stage_id, to_stage_id, cause, at, converted, previous_entry_at)
            SELECT m.lead, m.pipeline, m.from_stage, m.to_stage, {StageChangeCause.Score}, {now}, false,
                   (SELECT max(p.at) FROM nurture.stage_change p WHERE p.lead_id = m.lead AND p.to_stage_id = m.to_stage)
            FROM moved m
            """, ct);

        var enrolling = new Dictionary<Entry, List<Guid>>();
        foreach (var (lead, from, to) in candidates)
        {
            var (pipelineKey, entries) = starts[to.Id]!.Value;
            var mine = new List<Activity>
            {
                timeline.Create(lead.Id, ActivityKind.StageChanged, $"Moved from {from.Name} to {to.Name} ({StageChangeCause.Score})",
                    new { pipeline = pipelineKey, from = from.Key, to = to.Key, cause = StageChangeCause.Score }),
            };
            var reason = $"entered stage {to.Key} ({pipelineKey})";
            foreach (var entry in entries)
            {
                var s = entry.Sequence;
                var before = known.Where(k => k.LeadId == lead.Id && k.SequenceId == s.Id).ToList();
                if (before.Any(k => k.Status == EnrollmentStatus.Active)) continue;
                if (before.Count > 0 && !entry.Definition.Reenroll)
                {
                    mine.Add(timeline.Create(lead.Id, ActivityKind.NotEnrolled,
                        $"Not enrolled again in \"{s.Name}\" ({reason}): the lead has been in it before and reenroll is off",
                        new { sequence = s.Key, version = s.CurrentVersion, reason, rule = "reenroll is off" }, sequenceId: s.Id));
                    continue;
                }
                mine.Add(timeline.Create(lead.Id, ActivityKind.Enrolled, $"Enrolled in \"{s.Name}\": {reason}",
                    new { sequence = s.Key, version = s.CurrentVersion, reason }, sequenceId: s.Id));
                if (!enrolling.TryGetValue(entry, out var list)) enrolling[entry] = list = [];
                list.Add(lead.Id);
            }
            rows[lead.Id] = mine;
            lead.PipelineId = to.PipelineId;
            lead.StageId = to.Id;
            lead.StageEnteredAt = now;
            lead.UpdatedAt = now;
        }
        foreach (var (entry, enrolled) in enrolling)
            await Enroller.EnrollManyAsync(db, work, entry.Sequence.Id, entry.VersionId, entry.Definition.Steps.FirstOrDefault()?.Id, [.. enrolled], now, ct);
        return rows;
    }

    /// <summary>No segment to refresh and no webhook wanting the rows a move writes.</summary>
    private async Task<bool> QuietAsync(CancellationToken ct)
    {
        if (await db.Segments.AnyAsync(ct)) return false;
        var subscriptions = await webhooks.GetAsync(db, ct);
        return !subscriptions.Any(s => s.Wants(ActivityKind.StageChanged, ActivityKind.StageChanged) || s.Wants(ActivityKind.Enrolled, ActivityKind.Enrolled)
            || s.Wants(ActivityKind.NotEnrolled, ActivityKind.NotEnrolled) || s.Wants(ActivityKind.Exited, ActivityKind.Exited));
    }

    /// <summary>
    /// The pipeline's key and the sequences entering <paramref name="to"/> starts, in the order the general path enrolls;
    /// null when the stage hands leads off, or a sequence it starts could end at once (an exit condition that needs no
    /// evidence, names this stage, or looks back at older events).
    /// </summary>
    private async Task<(string, List<Entry>)?> StartsAsync(Stage to, CancellationToken ct)
    {
        if (to.HandoffJson is not null) return null;
        var pipelineKey = await db.Pipelines.Where(p => p.Id == to.PipelineId).Select(p => p.Key).SingleAsync(ct);
        var key = SequenceReactions.StageTriggerKey(pipelineKey, to.Key);
        var sequences = await db.Sequences.AsNoTracking().Where(s => s.TriggerType == TriggerType.StageEntered && s.TriggerKey == key).OrderBy(s => s.Id).ToListAsync(ct);
        var entries = new List<Entry>();
        foreach (var sequence in sequences)
        {
            var versionId = await db.SequenceVersions.Where(v => v.SequenceId == sequence.Id && v.Version == sequence.CurrentVersion).Select(v => v.Id).SingleAsync(ct);
            var definition = await catalog.GetVersionAsync(db, versionId, ct);
            if ((definition.ExitWhen ?? []).Any(c => !ExitEvidence.NeedsEvidence(c) || ExitEvidence.NamesStageEntered(c, to.Key) || ExitEvidence.LooksBack(c)))
                return null;
            entries.Add(new Entry(sequence, versionId, definition));
        }
        return (pipelineKey, entries);
    }

    /// <summary>
    /// The leads whose move something else may react to: a pending hand-off (which the move ends), or an active
    /// enrollment with an exit condition that could hold after it (one that needs no evidence or names the stage), or
    /// for which something it looks at has happened since the lead enrolled.
    /// </summary>
    private async Task<HashSet<Guid>> HeldAsync(List<Move> moves, List<Known> known, DateTimeOffset now, CancellationToken ct)
    {
        var leadIds = moves.Select(m => m.Lead.Id).ToList();
        var held = (await db.Handoffs.AsNoTracking().Where(h => leadIds.Contains(h.LeadId) && h.Status == HandoffStatus.Pending)
            .Select(h => h.LeadId).ToListAsync(ct)).ToHashSet();
        var to = moves.ToDictionary(m => m.Lead.Id, m => m.To.Key);
        var watched = new List<(Known Enrollment, List<Condition> ExitWhen)>();
        foreach (var k in known.Where(k => k.Status == EnrollmentStatus.Active && !held.Contains(k.LeadId)))
        {
            var exitWhen = (await catalog.GetVersionAsync(db, k.SequenceVersionId, ct)).ExitWhen ?? [];
            if (exitWhen.Count == 0) continue;
            if (exitWhen.Any(c => !ExitEvidence.NeedsEvidence(c) || ExitEvidence.NamesStageEntered(c, to[k.LeadId]))) held.Add(k.LeadId);
            else watched.Add((k, exitWhen));
        }
        watched.RemoveAll(w => held.Contains(w.Enrollment.LeadId));
        var touched = await ExitEvidence.TouchedAsync(db, [.. watched.Select(w => w.Enrollment.Id)], [.. watched.SelectMany(w => w.ExitWhen)], now, ct);
        foreach (var w in watched.Where(w => touched.Contains(w.Enrollment.Id))) held.Add(w.Enrollment.LeadId);
        return held;
    }
}
