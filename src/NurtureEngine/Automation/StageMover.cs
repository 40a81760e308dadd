using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Timeline;

namespace NurtureEngine.Automation;

/// <summary>Moves a lead between stages: history row, timeline, then the sequences that react.</summary>
public sealed class StageMover(NurtureDbContext db, TimelineWriter timeline, SequenceReactions reactions, Sales.HandoffService handoffs, TimeProvider clock)
{
    /// <summary>A new lead enters its first stage: a stage change from nothing, cause <c>created</c>.</summary>
    public Task EnterFirstStageAsync(Lead lead, Stage stage, CancellationToken ct) =>
        RecordAsync(lead, from: null, stage, StageChangeCause.Created, ct);

    /// <summary>Moves the lead; false when it is already there or (forwardOnly) the move would go back.</summary>
    public async Task<bool> MoveAsync(Lead lead, Stage to, string cause, bool forwardOnly, CancellationToken ct)
    {
        if (lead.StageId == to.Id) return false;
        var from = await db.Stages.AsNoTracking().SingleAsync(s => s.Id == lead.StageId, ct);
        if (forwardOnly && from.PipelineId == to.PipelineId && to.Position <= from.Position) return false;
        await RecordAsync(lead, from, to, cause, ct);
        return true;
    }

    private async Task RecordAsync(Lead lead, Stage? from, Stage to, string cause, CancellationToken ct)
    {
        var pipelineKey = await db.Pipelines.Where(p => p.Id == to.PipelineId).Select(p => p.Key).SingleAsync(ct);

        var now = clock.GetUtcNow();
        // The lead's earlier changes learn what this one means for them: their stint in the pipeline
        // ends now, and those in earlier stages of it converted. Read by the funnel report.
        // ToList, not Single: EF must not wrap a data-modifying WITH in a subquery.
        var previousEntry = (await db.Database.SqlQuery<DateTimeOffset?>($"""
            WITH earlier AS (
                -- One UPDATE for both columns: a row updated by two data-modifying CTEs keeps only one change.
                UPDATE nurture.stage_change c
                SET left_at = CASE WHEN c.pipeline_id = {to.PipelineId} AND c.left_at IS NULL THEN {now} ELSE c.left_at END,
                    converted = c.converted OR (s.pipeline_id = {to.PipelineId} AND s.position < {to.Position})
                FROM nurture.stage s
                WHERE c.lead_id = {lead.Id} AND s.id = c.to_stage_id
                  AND ((c.pipeline_id = {to.PipelineId} AND c.left_at IS NULL)
                       OR (NOT c.converted AND s.pipeline_id = {to.PipelineId} AND s.position < {to.Position})))
            SELECT max(at) AS "Value" FROM nurture.stage_change WHERE lead_id = {lead.Id} AND to_stage_id = {to.Id}
            """).ToListAsync(ct)).Single();
        db.StageChanges.Add(new StageChange
        {
            LeadId = lead.Id, PipelineId = to.PipelineId, FromStageId = from?.Id, ToStageId = to.Id, Cause = cause, At = now,
            PreviousEntryAt = previousEntry,
        });
        lead.PipelineId = to.PipelineId;
        lead.StageId = to.Id;
        lead.StageEnteredAt = now;
        lead.UpdatedAt = now;
        var summary = from is null ? $"Entered stage {to.Name}" : $"Moved from {from.Name} to {to.Name}";
        timeline.Add(lead.Id, ActivityKind.StageChanged, $"{summary} ({cause})",
            new { pipeline = pipelineKey, from = from?.Key, to = to.Key, cause });
        await db.SaveChangesAsync(ct);
        await handoffs.AssignAsync(lead, to, ct);
        await reactions.OnStageEnteredAsync(lead, pipelineKey, to.Key, ct);
    }
}
