using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Web.Pages.Settings;

/// <summary>
/// Webhook subscriptions (add, change, pause, delete: what the API's PUT/DELETE do, errors at their fields; a new
/// subscription's signing secret is shown once) and the delivery log, with a replay button (the API's replay).
/// </summary>
public sealed class WebhooksModel(WebhookService webhooks) : PageModel
{
    /// <summary>The kinds offered as boxes to tick; anything else (a custom event type) is typed.</summary>
    public static readonly string[] KnownEvents =
        ["stage_changed", "score_changed", "email_sent", "email_opened", "email_clicked", "email_replied", "email_bounced", "unsubscribed", "complained"];

    public sealed class SubscriptionForm
    {
        public string? Key { get; set; }
        public string? Url { get; set; }
        public List<string> Events { get; set; } = [];
        /// <summary>Custom event types, comma separated.</summary>
        public string? Custom { get; set; }
        /// <summary>An unticked box posts nothing, so this starts false; a new form shows it ticked.</summary>
        public bool Active { get; set; }
    }

    public IReadOnlyList<WebhookSubscriptionDto> Subscriptions { get; private set; } = [];
    public IReadOnlyList<WebhookDeliveryDto> Deliveries { get; private set; } = [];
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    /// <summary>The subscription being changed (its key is then fixed), or none: the form adds one.</summary>
    [BindProperty(SupportsGet = true)] public string? Edit { get; set; }
    [BindProperty] public SubscriptionForm Form { get; set; } = new();
    public IDictionary<string, string> FieldErrors { get; private set; } = new Dictionary<string, string>();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Form.Active = true;
        if (!string.IsNullOrEmpty(Edit))
        {
            try
            {
                var s = await webhooks.GetAsync(Edit, ct);
                Form = new SubscriptionForm
                {
                    Key = s.Key, Url = s.Url, Active = s.Active, Events = s.Events.Where(e => e == "*" || KnownEvents.Contains(e)).ToList(),
                    Custom = string.Join(", ", s.Events.Where(e => e != "*" && !KnownEvents.Contains(e))),
                };
            }
            catch (NotFoundException) { return NotFound(); }
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        var key = (string.IsNullOrEmpty(Edit) ? Form.Key : Edit)?.Trim() ?? "";
        var events = Form.Events.Concat((Form.Custom ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        try
        {
            if (string.IsNullOrEmpty(Edit) && (await webhooks.ListAsync(ct)).Any(x => x.Key == key))
                throw new ValidationException("key", $"{key} is already a subscription: use its Change button");
            var (saved, created) = await webhooks.PutAsync(key, new WebhookSubscriptionInput { Url = Form.Url?.Trim(), Events = events, Active = Form.Active }, ct);
            TempData["Flash"] = created
                ? $"Subscription {saved.Key} added. Its signing secret, shown only now: {saved.Secret}"
                : $"Subscription {saved.Key} saved.";
            return RedirectToPage(new { Status });
        }
        catch (ValidationException e)
        {
            FieldErrors = e.Errors.ToDictionary(kv => kv.Key, kv => string.Join("; ", kv.Value));
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(string key, CancellationToken ct)
    {
        try
        {
            await webhooks.DeleteAsync(key, ct);
            TempData["Flash"] = $"Subscription {key} deleted: nothing more is sent to it.";
        }
        catch (NotFoundException) { TempData["Flash"] = "That subscription no longer exists."; }
        return RedirectToPage(new { Status });
    }

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
        catch (ValidationException)
        {
            // Only a hand-edited address gets here (the select offers the three); the service's "status: ..." is the API's wording.
            Error = $"There is no status \"{Status}\": choose pending, succeeded or failed.";
        }
    }
}
