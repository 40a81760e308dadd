using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Scoring;
using NurtureEngine.Timeline;

namespace NurtureEngine.Automation;

/// <summary>
/// Applies points (from a rule, or a sequence's score step) as a ledger entry on the timeline, then
/// the stage thresholds, which move a lead forward only, with cause <c>score</c>.
/// </summary>
public sealed class ScoreKeeper(NurtureDbContext db, TimelineWriter timeline, ScoringStore scoring, StageMover stages, SequenceReactions reactions)
{
    public async Task ApplyRulesAsync(Lead lead, string eventType, System.Text.Json.Nodes.JsonObject? properties, CancellationToken ct)
    {
        var config = await scoring.GetAsync(ct);
        foreach (var rule in config.Rules.Where(r => r.Event == eventType && r.Points != 0 && PropertyFilter.Matches(r.Where, properties)))
            await AddAsync(lead, rule.Points, $"rule {rule.Event}", eventType, ct);
    }

    public async Task AddAsync(Lead lead, int points, string because, string? eventType, CancellationToken ct)
    {
        if (points == 0) return;
        var before = lead.Score;
        lead.Score += points;
        db.Activities.Add(LedgerRow(timeline, lead.Id, before, points, because, eventType));
        await db.SaveChangesAsync(ct);
        await ApplyThresholdsAsync(lead, ct);
        if (eventType is null) await reactions.LeadChangedAsync(lead, ct); // events re-check on their own
    }

    /// <summary>The ledger entry of points added to a score (not yet added to the unit of work).</summary>
    public static Activity LedgerRow(TimelineWriter timeline, Guid leadId, int before, int points, string because, string? eventType) =>
        timeline.Create(leadId, ActivityKind.ScoreChanged, $"Score {before} → {before + points} ({(points > 0 ? "+" : "")}{points}, {because})",
            new { points, from = before, to = before + points, rule = because, @event = eventType });

    /// <summary>Threshold pipelines' stages, per unit of work (an event batch applies thresholds per event).</summary>
    private readonly Dictionary<string, List<Pipelines.Stage>> _stages = new(StringComparer.Ordinal);

    public async Task ApplyThresholdsAsync(Lead lead, CancellationToken ct)
    {
        foreach (var to in await ThresholdTargetsAsync(lead.StageId, lead.Score, ct))
            if (await MoveForwardAsync(lead, to, ct)) return;
    }

    /// <summary>Where a threshold moves a lead in this stage with this score, from which stage; null when none does (for replaying events in memory).</summary>
    public async Task<(Pipelines.Stage From, Pipelines.Stage To)?> ThresholdMoveAsync(long stageId, int score, CancellationToken ct)
    {
        var to = (await ThresholdTargetsAsync(stageId, score, ct)).FirstOrDefault();
        return to is null ? null : (_stages.Values.SelectMany(s => s).First(s => s.Id == stageId), to);
    }

    /// <summary>The stages the thresholds a score reaches point to, highest threshold first; each applies to leads in its
    /// fromStage or an earlier stage of that pipeline, and moves them forward only.</summary>
    private async Task<List<Pipelines.Stage>> ThresholdTargetsAsync(long stageId, int score, CancellationToken ct)
    {
        var config = await scoring.GetAsync(ct);
        var targets = new List<Pipelines.Stage>();
        foreach (var t in config.Thresholds.Where(t => score >= t.Score).OrderByDescending(t => t.Score))
        {
            if (!_stages.TryGetValue(t.Pipeline, out var stages))
                _stages[t.Pipeline] = stages = await db.Stages.AsNoTracking().Where(s => s.Pipeline.Key == t.Pipeline).ToListAsync(ct);
            var from = stages.FirstOrDefault(s => s.Key == t.FromStage);
            var to = stages.FirstOrDefault(s => s.Key == t.Stage);
            var current = stages.FirstOrDefault(s => s.Id == stageId);
            if (from is null || to is null || current is null || current.Position > from.Position || to.Position <= current.Position) continue;
            targets.Add(to);
        }
        return targets;
    }

    private Task<bool> MoveForwardAsync(Lead lead, Pipelines.Stage to, CancellationToken ct) =>
        stages.MoveAsync(lead, to, StageChangeCause.Score, forwardOnly: true, ct);
}
