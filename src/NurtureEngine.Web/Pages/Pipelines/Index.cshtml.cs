using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Pipelines;

namespace NurtureEngine.Web.Pages.Pipelines;

/// <summary>
/// Pipelines and their stages: create, reorder, edit probability and kind. Removing a stage that
/// holds leads is refused by the service; the page then offers to move those leads.
/// </summary>
public sealed class IndexModel(PipelineService pipelines) : PageModel
{
    public sealed class StageRow
    {
        public string? Key { get; set; }
        public string? Name { get; set; }
        public int Probability { get; set; }
        public string Kind { get; set; } = "open";
    }

    [BindProperty(SupportsGet = true)] public string? Key { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public List<StageRow> Stages { get; set; } = [];
    [BindProperty] public string? MoveLeadsTo { get; set; }

    public IReadOnlyList<PipelineDto> All { get; private set; } = [];
    public IReadOnlyList<string> Errors { get; private set; } = [];
    /// <summary>Set when a save was refused because removed stages hold leads.</summary>
    public string? Occupied { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        All = await pipelines.ListAsync(ct);
        if (Key is not null && !Slug.IsKey(Key))
        {
            // Typed into "New pipeline key" with the browser's check bypassed: say so before anything is built on it.
            Errors = [$"{FieldName("key")}: {Worded(SlugProblem)}"];
            Key = null;
            return;
        }
        Key ??= All.FirstOrDefault(p => p.IsDefault)?.Key ?? All.FirstOrDefault()?.Key;
        if (Key is not null && All.FirstOrDefault(p => p.Key == Key) is { } p)
        {
            Name = p.Name;
            Stages = p.Stages.Select(s => new StageRow { Key = s.Key, Name = s.Name, Probability = s.Probability, Kind = s.Kind }).ToList();
        }
        else if (Key is not null)
        {
            Name = Key;
            Stages = [new StageRow { Key = "new", Name = "New", Probability = 10 }, new StageRow { Key = "won", Name = "Won", Probability = 100, Kind = "won" }];
        }
    }

    public Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        var n = Stages.Count + 1;
        while (Stages.Any(s => s.Key == $"stage-{n}")) n++;
        Stages.Add(new StageRow { Key = $"stage-{n}", Name = $"Stage {n}" });
        return ShowAsync(ct);
    }

    public Task<IActionResult> OnPostMoveAsync(int index, bool up, CancellationToken ct)
    {
        var other = up ? index - 1 : index + 1;
        if (index >= 0 && index < Stages.Count && other >= 0 && other < Stages.Count) (Stages[index], Stages[other]) = (Stages[other], Stages[index]);
        return ShowAsync(ct);
    }

    public Task<IActionResult> OnPostRemoveAsync(int index, CancellationToken ct)
    {
        if (index >= 0 && index < Stages.Count) Stages.RemoveAt(index);
        return ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) { Errors = [$"{FieldName("key")}: {Worded(SlugProblem)}"]; return await ShowAsync(ct); }
        try
        {
            var input = new PipelineInput
            {
                Name = Name, MoveLeadsTo = string.IsNullOrWhiteSpace(MoveLeadsTo) ? null : MoveLeadsTo,
                Stages = Stages.Select(s => new StageInput { Key = s.Key?.Trim(), Name = s.Name?.Trim(), Probability = s.Probability, Kind = s.Kind }).ToList(),
            };
            var (saved, created) = await pipelines.PutAsync(Key!, input, ct);
            TempData["Flash"] = created ? $"Pipeline {saved.Name} created." : $"Pipeline {saved.Name} saved.";
            return RedirectToPage(new { key = Key });
        }
        catch (ValidationException e) { Errors = e.Errors.SelectMany(kv => kv.Value.Select(v => $"{FieldName(kv.Key)}: {Worded(v)}")).ToList(); }
        catch (ConflictException e) { Occupied = await OccupiedMessageAsync(e.Message, ct); }
        return await ShowAsync(ct);
    }

    /// <summary>The service's words for a key that is not a slug.</summary>
    private const string SlugProblem = "must be a lowercase slug";

    /// <summary>"stages[1].name" as "Stage 2 name", "stages[1].probability" as "Stage 2 win probability" (the column's header), "moveLeadsTo" as "Move those leads to".</summary>
    private static string FieldName(string key)
    {
        if (System.Text.RegularExpressions.Regex.Match(key, @"^stages\[(\d+)\]\.?([\w.]*)$") is { Success: true } m)
        {
            var field = m.Groups[2].Value switch { "probability" => "win probability", "handoff.recycleTo" => "recycle to", var f => f };
            return $"Stage {int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1} {field}".Trim();
        }
        return key switch { "moveLeadsTo" => "Move those leads to", "name" => "Name", "stages" => "Stages", "key" => "Key", _ => key };
    }

    /// <summary>A service message in the page's words ("slug" is a developer's word).</summary>
    private static string Worded(string message) =>
        message == SlugProblem ? "use lowercase letters, digits and dashes only, like partner-deals" : message;

    /// <summary>The service's refusal in the page's words: the removed stages by name, and what to do.</summary>
    private async Task<string> OccupiedMessageAsync(string serviceMessage, CancellationToken ct)
    {
        var current = (await pipelines.GetAsync(Key!, ct))?.Stages ?? [];
        var removed = current.Where(c => Stages.All(s => s.Key?.Trim() != c.Key)).Select(c => c.Name).ToList();
        var count = System.Text.RegularExpressions.Regex.Match(serviceMessage, @"^\d+").Value;
        return $"{(count.Length > 0 ? count : "Some")} lead(s) are still in {string.Join(", ", removed)}, which you removed. Choose a stage to move them to, then save again.";
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        ModelState.Clear();
        All = await pipelines.ListAsync(ct);
        return Page();
    }
}
