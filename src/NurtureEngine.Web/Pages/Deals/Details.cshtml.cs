using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Sales;

namespace NurtureEngine.Web.Pages.Deals;

/// <summary>A deal: its fields, a stage move (lost needs a reason) and its rows of the lead's timeline.</summary>
public sealed class DetailsModel(DealService deals, LeadService leads, PipelineService pipelines) : PageModel
{
    public DealDto Deal { get; private set; } = null!;
    public LeadDto? Lead { get; private set; }
    public PipelineDto? Pipeline { get; private set; }
    public IReadOnlyList<TimelineEntry> History { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostStageAsync(Guid id, string stage, string? lostReason, CancellationToken ct) =>
        ActAsync(id, "Moved.", "Not moved: ",
            () => deals.ChangeStageAsync(id, new DealStageInput { Stage = stage, LostReason = Given(lostReason) }, StageChangeCause.Admin, ct), ct);

    /// <summary>Edits the deal's fields, as <c>PATCH /api/v1/deals/{id}</c> does: an empty field keeps its value.</summary>
    public Task<IActionResult> OnPostEditAsync(Guid id, string? name, decimal? amount, string? currency, DateOnly? closeDate, string? owner, CancellationToken ct) =>
        ActAsync(id, "Saved.", "Not saved: ", () => deals.UpdateAsync(id, new DealInput
        {
            Name = Given(name), Amount = amount, Currency = Given(currency), CloseDate = closeDate, Owner = Given(owner),
        }, StageChangeCause.Admin, ct), ct);

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task<IActionResult> ActAsync(Guid id, string done, string refused, Func<Task<DealDto>> action, CancellationToken ct)
    {
        try
        {
            await action();
            TempData["Flash"] = done;
            return RedirectToPage(new { id });
        }
        catch (ValidationException e)
        {
            Error = refused + string.Join(" ", e.Errors.Select(x => $"{x.Key} {string.Join(", ", x.Value)}."));
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
        catch (NotFoundException) { return NotFound(); }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await deals.GetAsync(id, ct) is not { } d) return false;
        Deal = d;
        Lead = await leads.GetAsync(d.LeadId, ct);
        Pipeline = await pipelines.GetAsync(d.Pipeline, ct);
        var dealId = d.Id.ToString();
        History = (await leads.TimelineAsync(d.LeadId, 500, ct))
            .Where(e => e.Kind.StartsWith("deal_", StringComparison.Ordinal) && e.Data?["dealId"]?.GetValue<string>() == dealId).ToList();
        return true;
    }
}
