using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Sequences;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Leads;

/// <summary>Lead list: search, filters, keyset paging (fast at any depth), bulk stage/tag/enroll.</summary>
public sealed class IndexModel(LeadService leads, PipelineService pipelines, SequenceService sequences) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public LeadFilter Filter { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    public LeadPage Results { get; private set; } = new([], null);
    public IReadOnlyList<PipelineDto> Pipelines { get; private set; } = [];
    public IReadOnlyList<string> Sequences { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Me => User.Identity?.Name?.ToLowerInvariant();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostBulkAsync(List<Guid> ids, string? action, string? value, CancellationToken ct)
    {
        if (ids.Count == 0 || string.IsNullOrWhiteSpace(value) || action is not ("stage" or "tag" or "enroll"))
        {
            Error = "Tick some leads, choose an action and give its value.";
            await LoadAsync(ct);
            return Page();
        }
        int done = 0, skipped = 0;
        var problems = new List<string>();
        foreach (var id in ids.Distinct().Take(500))
        {
            try
            {
                switch (action)
                {
                    case "stage":
                        await leads.ChangeStageAsync(id, value.Trim(), null, StageChangeCause.Admin, ct);
                        done++;
                        break;
                    case "tag":
                        if (await leads.GetAsync(id, ct) is { } lead)
                        {
                            await leads.UpsertAsync(new LeadInput { Email = lead.Email, Tags = [value.Trim().ToLowerInvariant()] }, StageChangeCause.Admin, ct);
                            done++;
                        }
                        break;
                    case "enroll":
                        if (await sequences.EnrollAsync(value.Trim(), id, ct)) done++; else skipped++;
                        break;
                }
            }
            catch (Exception e) when (e is ValidationException or NotFoundException)
            {
                if (problems.Count < 3) problems.Add(e.Message);
                skipped++;
            }
        }
        TempData["Flash"] = $"{action}: {done} lead(s) changed, {skipped} skipped." + (problems.Count > 0 ? " " + string.Join(" ", problems) : "");
        return Redirect("/leads?" + Filter.QueryString());
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        Sequences = (await sequences.ListAsync(ct)).Select(s => s["key"]!.GetValue<string>()).ToList();
        try { Results = await leads.ListAsync(Filter.ToQuery(Cursor, PageSize), ct); }
        catch (ValidationException e) { Error = e.Message; }
    }
}
