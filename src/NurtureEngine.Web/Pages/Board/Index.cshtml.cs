using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Sales;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Board;

/// <summary>
/// The pipeline board (every role): a column per stage; a card moves by drag and drop or by its own
/// move form (the keyboard way, and what the drop submits), as a stage change with cause admin.
/// Reps see their own cards unless they choose everyone's.
/// </summary>
public sealed class IndexModel(BoardService boards, PipelineService pipelines, LeadService leads, DealService deals, LeadDirectory directory, TimeProvider clock) : PageModel
{
    public const string Everyone = "all";

    [BindProperty(SupportsGet = true)] public string? Pipeline { get; set; }
    /// <summary>An owner's email, <c>all</c>, or empty for the default (a rep's own; everyone's for managers).</summary>
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    [BindProperty(SupportsGet = true)] public string? Tag { get; set; }
    [BindProperty(SupportsGet = true)] public string? CloseMonth { get; set; }
    [BindProperty(SupportsGet = true)] public string? Column { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? After { get; set; }

    public NurtureEngine.Sales.Board? View { get; private set; }
    public IReadOnlyList<PipelineDto> Pipelines { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public string? Error { get; private set; }
    public DateTimeOffset Now => clock.GetUtcNow();
    public string Me => User.Identity?.Name?.ToLowerInvariant() ?? "";
    public bool IsRep => !User.IsInRole("Admin") && !User.IsInRole("Marketer");
    public string OwnerChoice => string.IsNullOrWhiteSpace(Owner) ? (IsRep ? Me : Everyone) : Owner.Trim().ToLowerInvariant();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return View is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostMoveAsync(string kind, Guid id, string stage, string? lostReason, CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        try
        {
            if (kind == "deal")
            {
                var moved = await deals.ChangeStageAsync(id, new DealStageInput { Stage = stage, LostReason = string.IsNullOrWhiteSpace(lostReason) ? null : lostReason }, StageChangeCause.Admin, ct);
                TempData["Flash"] = $"Moved \"{moved.Name}\" to {StageName(moved.Pipeline, moved.Stage)}.";
            }
            else
            {
                var moved = await leads.ChangeStageAsync(id, stage, Pipeline, StageChangeCause.Admin, ct);
                TempData["Flash"] = $"Moved {moved.Email} to {StageName(moved.Pipeline, moved.Stage)}.";
            }
        }
        catch (ValidationException e)
        {
            Error = "Not moved: " + string.Join(" ", e.Errors.Select(x => $"{x.Key} {string.Join(", ", x.Value)}."));
            await LoadAsync(ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        catch (NotFoundException) { return NotFound(); }
        return RedirectToPage(new { Pipeline, Owner, Tag, CloseMonth });

        string StageName(string pipeline, string key) => LeadDirectory.StageName(Pipelines, pipeline, key);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        Owners = await directory.OwnersAsync(ct);
        var owner = OwnerChoice == Everyone ? null : OwnerChoice;
        var tag = string.IsNullOrWhiteSpace(Tag) ? null : Tag.Trim().ToLowerInvariant();
        try
        {
            View = await boards.ReadAsync(new BoardQuery(Pipeline, owner, tag, CloseMonth, Column, After), ct);
        }
        catch (ValidationException e)
        {
            Error = string.Join(" ", e.Errors.Select(x => $"{x.Key} {string.Join(", ", x.Value)}."));
            View = await boards.ReadAsync(new BoardQuery(Pipeline, owner, tag, null), ct);
        }
        catch (NotFoundException) { View = null; }
        Pipeline = View?.Pipeline;
    }

    public string DaysInStage(BoardCard c) => $"{Math.Max(0, (int)(Now - c.StageEnteredAt).TotalDays)} d";
}
