using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Segments;
using NurtureEngine.Sequences;

using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Segments;

/// <summary>
/// Build a segment's filter in the condition language, count its members before saving (a button
/// without JavaScript, live as you type with it), save, see the members and enroll them in a sequence.
/// </summary>
public sealed class EditModel(SegmentService segments, SequenceService sequences, NurtureEngine.Pipelines.PipelineService pipelines) : PageModel
{
    private const string Example = """{ "type": "all", "of": [ { "type": "in_stage", "stage": "mql" }, { "type": "has_tag", "tag": "webinar" } ] }""";

    [BindProperty(SupportsGet = true)] public string? Key { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string Filter { get; set; } = Example;
    public bool Exists { get; private set; }
    public int? Count { get; private set; }
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyList<LeadDto> Members { get; private set; } = [];
    public bool MoreMembers { get; private set; }
    public IReadOnlyList<string> Sequences { get; private set; } = [];
    /// <summary>What the visual builder offers in its pickers: stages by name, other segments.</summary>
    public string BuilderOptions { get; private set; } = "{}";
    public IReadOnlyList<NurtureEngine.Pipelines.PipelineDto> Pipelines { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Key is not null && await segments.GetAsync(Key, ct) is { } s)
        {
            Name = s.Name;
            Filter = JsonSerializer.Serialize(s.Filter, Json.Options);
            Count = s.Members;
        }
        await LoadAsync(ct);
    }

    /// <summary>The live count: JSON for the page's script, else the page with the count shown.</summary>
    public async Task<IActionResult> OnPostCountAsync(CancellationToken ct)
    {
        try { Count = await segments.CountAsync(ParseFilter(), ct); }
        catch (ValidationException e) { AddErrors(e); }
        if (Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal))
            return new JsonResult(new { members = Count, errors = Errors });
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        try
        {
            var key = Key?.Trim() ?? "";
            var (saved, created) = await segments.PutAsync(key, new SegmentInput { Name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(), Filter = ParseFilter() }, ct);
            TempData["Flash"] = $"Segment {saved.Key} {(created ? "created" : "saved")}: {saved.Members} members.";
            return RedirectToPage(new { key = saved.Key });
        }
        catch (ValidationException e) { AddErrors(e); }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostEnrollAsync(string? sequence, CancellationToken ct)
    {
        try
        {
            if (Key is null || !Slug.IsKey(sequence)) throw new ValidationException("sequence", "choose a sequence");
            var enrolled = await segments.EnrollAllAsync(Key, sequence!, ct);
            TempData["Flash"] = $"{enrolled} lead(s) of {Key} enrolled in {sequence} (members already in it were skipped).";
            return RedirectToPage(new { key = Key });
        }
        catch (ValidationException e) { AddErrors(e); }
        catch (NotFoundException e) { Errors["key"] = e.Message; }
        await OnGetAsync(ct);
        return Page();
    }

    private Condition ParseFilter()
    {
        try { return JsonSerializer.Deserialize<Condition>(Filter, Json.Options) ?? throw new ValidationException("filter", "a condition is required"); }
        catch (JsonException e) { throw new ValidationException("filter", JsonProblem.Describe(e)); }
    }

    private void AddErrors(ValidationException e)
    {
        foreach (var (field, messages) in e.Errors) Errors[field] = string.Join("; ", messages);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Sequences = (await sequences.ListAsync(ct)).Select(s => s.Key).ToList();
        Pipelines = await pipelines.ListAsync(ct);
        var stages = Pipelines.SelectMany(p => p.Stages).GroupBy(st => st.Key).Select(g => new { key = g.Key, name = g.First().Name });
        var others = (await segments.ListAsync(ct)).Where(x => x.Key != Key).Select(x => new { key = x.Key, name = x.Name });
        BuilderOptions = JsonSerializer.Serialize(new { stages, segments = others });
        if (Key is null || await segments.GetAsync(Key, ct) is null) return;
        Exists = true;
        var page = await segments.LeadsAsync(Key, 50, null, ct);
        Members = page.Items;
        MoreMembers = page.NextCursor is not null;
    }
}
