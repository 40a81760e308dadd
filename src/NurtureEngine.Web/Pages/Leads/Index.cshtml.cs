using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Sequences;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Leads;

/// <summary>Lead list: search, filters, keyset paging (fast at any depth) with a way back, bulk stage/tag/enroll by name.</summary>
public sealed class IndexModel(LeadService leads, PipelineService pipelines, SequenceService sequences, LeadDirectory directory) : PageModel
{
    public const int PageSize = 50;
    /// <summary>Matches are counted up to this; beyond it the page says "more than".</summary>
    public const int CountCap = 10_000;

    public sealed record SequenceChoice(string Key, string Name);

    [BindProperty(SupportsGet = true)] public LeadFilter Filter { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    /// <summary>The cursors of the pages before this one, oldest first, dot-separated: how "Previous page" finds its way back.</summary>
    [BindProperty(SupportsGet = true)] public string? Trail { get; set; }
    public LeadPage Results { get; private set; } = new([], null);
    public IReadOnlyList<PipelineDto> Pipelines { get; private set; } = [];
    public IReadOnlyList<SequenceChoice> Sequences { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public IReadOnlyDictionary<Guid, DateTimeOffset> LastActivity { get; private set; } = new Dictionary<Guid, DateTimeOffset>();
    public string? Error { get; private set; }
    /// <summary>How many leads match the filters (at most <see cref="CountCap"/> + 1).</summary>
    public int Total { get; private set; }
    public string? Me => User.Identity?.Name?.ToLowerInvariant();

    public IReadOnlyList<string> TrailCursors => (Trail ?? "").Split('.', StringSplitOptions.RemoveEmptyEntries);
    public int PageNumber => Cursor is null ? 1 : TrailCursors.Count + 2;

    public string StageName(LeadDto lead) => LeadDirectory.StageName(Pipelines, lead.Pipeline, lead.Stage);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostBulkAsync(List<Guid> ids, string? action, string? stage, string? tag, string? sequence, CancellationToken ct)
    {
        var value = (action switch { "stage" => stage, "tag" => tag, "enroll" => sequence, _ => null })?.Trim();
        if (ids.Count == 0 || string.IsNullOrEmpty(value))
        {
            await LoadAsync(ct);
            Error = ids.Count == 0 ? "Tick the leads to change first." : action switch
            {
                "stage" => "Choose the stage to move them to.",
                "tag" => "Type the tag to add.",
                "enroll" => "Choose the sequence to enroll them in.",
                _ => "Choose what to do with the ticked leads.",
            };
            return Page();
        }
        if (action == "tag") value = value.ToLowerInvariant();
        int done = 0, skipped = 0;
        var problems = new List<string>();
        foreach (var id in ids.Distinct().Take(500))
        {
            try
            {
                switch (action)
                {
                    case "stage":
                        await leads.ChangeStageAsync(id, value, null, StageChangeCause.Admin, ct);
                        done++;
                        break;
                    case "tag":
                        if (await leads.GetAsync(id, ct) is { } lead)
                        {
                            await leads.UpsertAsync(new LeadInput { Email = lead.Email, Tags = [value] }, StageChangeCause.Admin, ct);
                            done++;
                        }
                        break;
                    case "enroll":
                        if (await sequences.EnrollAsync(value, id, ct)) done++; else skipped++;
                        break;
                }
            }
            catch (Exception e) when (e is ValidationException or NotFoundException)
            {
                if (problems.Count < 3) problems.Add(e.Message);
                skipped++;
            }
        }
        Pipelines = await pipelines.ListAsync(ct);
        var what = action switch
        {
            "stage" => $"Moved {done} lead(s) to {Pipelines.SelectMany(p => p.Stages).FirstOrDefault(s => s.Key == value)?.Name ?? value}.",
            "tag" => $"Tagged {done} lead(s) “{value}”.",
            _ => $"Enrolled {done} lead(s) in {(await SequenceChoicesAsync(ct)).FirstOrDefault(s => s.Key == value)?.Name ?? value}.",
        };
        TempData["Flash"] = what + (skipped > 0 ? $" {skipped} skipped." : "") + (problems.Count > 0 ? " " + string.Join(" ", problems) : "");
        return Redirect("/leads?" + Filter.QueryString());
    }

    private async Task<IReadOnlyList<SequenceChoice>> SequenceChoicesAsync(CancellationToken ct) =>
        (await sequences.ListAsync(ct)).Select(s => new SequenceChoice(s.Key, s.Name)).ToList();

    private async Task LoadAsync(CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        Sequences = await SequenceChoicesAsync(ct);
        Owners = await directory.OwnersAsync(ct);
        try
        {
            Results = await leads.ListAsync(Filter.ToQuery(Cursor, PageSize), ct);
            Total = await leads.CountAsync(Filter.ToQuery(null, PageSize), CountCap, ct);
        }
        catch (ValidationException e) { Error = e.Message; }
        LastActivity = await directory.LastActivityAsync(Results.Items.Select(l => l.Id).ToList(), ct);
    }
}
