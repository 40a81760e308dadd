using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Pipelines;
using NurtureEngine.Scoring;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Scoring;

/// <summary>
/// Scoring rules (points per event), decay and stage thresholds, edited as rows (the store behind
/// PUT /api/v1/scoring), with a preview of what the form would mean for today's leads before saving.
/// </summary>
public sealed class IndexModel(ScoringStore scoring, PipelineService pipelines, NurtureDbContext db, TimeProvider clock) : PageModel
{
    public const int PreviewDays = 30;

    public sealed class RuleRow { public string? Event { get; set; } public int Points { get; set; } }
    public sealed class ThresholdRow { public string? Pipeline { get; set; } public string? FromStage { get; set; } public int Score { get; set; } public string? Stage { get; set; } }
    public sealed record RulePreview(string Event, int Points, int Events, int Leads);
    public sealed record ThresholdPreview(string From, string To, int Score, int Leads);

    [BindProperty] public List<RuleRow> Rules { get; set; } = [];
    [BindProperty] public List<ThresholdRow> Thresholds { get; set; } = [];
    [BindProperty] public int? DecayPercent { get; set; }
    [BindProperty] public string? DecayEvery { get; set; }

    public IReadOnlyList<PipelineDto> Pipelines { get; private set; } = [];
    public IReadOnlyList<string> KnownEvents { get; private set; } = [];
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyList<RulePreview>? RulesPreview { get; private set; }
    public IReadOnlyList<ThresholdPreview>? ThresholdsPreview { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var config = await scoring.GetAsync(ct);
        Rules = config.Rules.Select(r => new RuleRow { Event = r.Event, Points = r.Points }).ToList();
        Thresholds = config.Thresholds.Select(t => new ThresholdRow { Pipeline = t.Pipeline, FromStage = t.FromStage, Score = t.Score, Stage = t.Stage }).ToList();
        DecayPercent = config.Decay?.Percent;
        DecayEvery = HumanDuration.ToWords(config.Decay?.Every);
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAddRuleAsync(CancellationToken ct) { Rules.Add(new RuleRow { Points = 5 }); return await ShowAsync(ct); }
    public async Task<IActionResult> OnPostAddThresholdAsync(CancellationToken ct) { Thresholds.Add(new ThresholdRow { Pipeline = "default", Score = 50 }); return await ShowAsync(ct); }
    public async Task<IActionResult> OnPostRemoveRuleAsync(int index, CancellationToken ct) { if (index >= 0 && index < Rules.Count) Rules.RemoveAt(index); return await ShowAsync(ct); }
    public async Task<IActionResult> OnPostRemoveThresholdAsync(int index, CancellationToken ct) { if (index >= 0 && index < Thresholds.Count) Thresholds.RemoveAt(index); return await ShowAsync(ct); }

    /// <summary>What the rules in the form would have given over the last 30 days, and who the thresholds would move.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        var since = clock.GetUtcNow().AddDays(-PreviewDays);
        var events = Rules.Where(r => !string.IsNullOrWhiteSpace(r.Event)).Select(r => r.Event!.Trim()).Distinct().ToList();
        var counts = await db.Activities.Where(a => a.At >= since && events.Contains(a.EventType)).GroupBy(a => a.EventType)
            .Select(g => new { g.Key, Events = g.Count(), Leads = g.Select(a => a.LeadId).Distinct().Count() }).ToListAsync(ct);
        RulesPreview = Rules.Where(r => !string.IsNullOrWhiteSpace(r.Event)).Select(r =>
        {
            var c = counts.FirstOrDefault(x => x.Key == r.Event!.Trim());
            return new RulePreview(r.Event!.Trim(), r.Points, c?.Events ?? 0, c?.Leads ?? 0);
        }).ToList();
        var previews = new List<ThresholdPreview>();
        Pipelines = await pipelines.ListAsync(ct);
        foreach (var t in Thresholds.Where(t => t.FromStage is not null && t.Stage is not null))
        {
            var pipeline = t.Pipeline ?? "default";
            var leads = await db.Leads.CountAsync(l => l.Pipeline.Key == pipeline && l.Stage.Key == t.FromStage && l.Score >= t.Score, ct);
            previews.Add(new ThresholdPreview(LeadDirectory.StageName(Pipelines, pipeline, t.FromStage!), LeadDirectory.StageName(Pipelines, pipeline, t.Stage!), t.Score, leads));
        }
        ThresholdsPreview = previews;
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        var config = new ScoringConfig
        {
            Rules = Rules.Select(r => new ScoringRule { Event = r.Event?.Trim() ?? "", Points = r.Points }).ToList(),
            Thresholds = Thresholds.Select(t => new StageThreshold { Pipeline = t.Pipeline ?? "default", FromStage = t.FromStage ?? "", Score = t.Score, Stage = t.Stage ?? "" }).ToList(),
        };
        if (DecayPercent is { } percent && percent > 0)
        {
            var every = HumanDuration.ToIso(DecayEvery);
            if (every is null) Errors["decay.every"] = $"must be a duration {HumanDuration.Hint}";
            config.Decay = new ScoreDecay { Percent = percent, Every = every ?? "" };
        }
        if (Errors.Count == 0)
        {
            try
            {
                await scoring.PutAsync(config, ct);
                TempData["Flash"] = "Scoring saved. New points count from now on; thresholds move a lead at its next score change.";
                return RedirectToPage();
            }
            catch (ValidationException e) { foreach (var (k, v) in e.Errors) Errors[k] = string.Join("; ", v); }
        }
        return await ShowAsync(ct);
    }

    public string? ErrorAt(string path) => Errors.GetValueOrDefault(path);

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        var since = clock.GetUtcNow().AddDays(-PreviewDays);
        KnownEvents = await db.Activities.Where(a => a.At >= since).Select(a => a.EventType).Distinct().OrderBy(e => e).Take(200).ToListAsync(ct);
    }
}
