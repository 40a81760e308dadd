using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Web.Pages.Settings;

/// <summary>Webhook subscriptions and the delivery log, with a replay button (the API's replay).</summary>
public sealed class WebhooksModel(WebhookService webhooks) : PageModel
{
    public IReadOnlyList<WebhookSubscriptionDto> Subscriptions { get; private set; } = [];
    public IReadOnlyList<WebhookDeliveryDto> Deliveries { get; private set; } = [];
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostReplayAsync(Guid id, CancellationToken ct)
    {
        try
        {
            var replayed = await webhooks.ReplayAsync(id, ct);
            TempData["Flash"] = $"The {replayed.Type} delivery to {replayed.Subscription} is queued to be sent again.";
        }
        catch (NotFoundException) { TempData["Flash"] = "That delivery no longer exists."; }
        return RedirectToPage(new { Status });
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Subscriptions = await webhooks.ListAsync(ct);
        try { Deliveries = (await webhooks.DeliveriesAsync(null, string.IsNullOrEmpty(Status) ? null : Status, 100, ct)).Items; }
        catch (ValidationException e) { Error = e.Message; }
    }
}
