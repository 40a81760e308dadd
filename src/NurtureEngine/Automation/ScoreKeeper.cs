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
        timeline.Add(lead.Id, ActivityKind.ScoreChanged, $"Score {before} → {lead.Score} ({(points > 0 ? "+" : "")}{points}, {because})",
            new { points, from = before, to = lead.Score, rule = because, @event = eventType });
        await db.SaveChangesAsync(ct);
        await ApplyThresholdsAsync(lead, ct);
        if (eventType is null) await reactions.LeadChangedAsync(lead, ct); // events re-check on their own
    }

    /// <summary>Threshold pipelines' stages, per unit of work (an event batch applies thresholds per event).</summary>
    private readonly Dictionary<string, List<Pipelines.Stage>> _stages = new(StringComparer.Ordinal);

    public async Task ApplyThresholdsAsync(Lead lead, CancellationToken ct)
    {
        var config = await scoring.GetAsync(ct);
        foreach (var t in config.Thresholds.Where(t => lead.Score >= t.Score).OrderByDescending(t => t.Score))
        {
            if (!_stages.TryGetValue(t.Pipeline, out var stages))
                _stages[t.Pipeline] = stages = await db.Stages.AsNoTracking().Where(s => s.Pipeline.Key == t.Pipeline).ToListAsync(ct);
            var from = stages.FirstOrDefault(s => s.Key == t.FromStage);
            var to = stages.FirstOrDefault(s => s.Key == t.Stage);
            var current = stages.FirstOrDefault(s => s.Id == lead.StageId);
            // Applies to leads in fromStage or an earlier stage of that pipeline.
            if (from is null || to is null || current is null || current.Position > from.Position) continue;
            if (await MoveForwardAsync(lead, to, ct)) return;
        }
    }

    private Task<bool> MoveForwardAsync(Lead lead, Pipelines.Stage to, CancellationToken ct) =>
        stages.MoveAsync(lead, to, StageChangeCause.Score, forwardOnly: true, ct);
}
