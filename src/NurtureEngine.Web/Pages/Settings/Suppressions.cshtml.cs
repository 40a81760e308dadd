using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Suppressions;

namespace NurtureEngine.Web.Pages.Settings;

/// <summary>
/// The suppression list: addresses never mailed (bounces, complaints, erasures, added by hand).
/// Addresses are kept only as a one-way hash, so search is by exact address. Same service as the API.
/// </summary>
public sealed class SuppressionsModel(SuppressionList list) : PageModel
{
    public const int Shown = 200;

    [BindProperty(SupportsGet = true)] public string? Email { get; set; }
    public IReadOnlyList<SuppressionDto> Rows { get; private set; } = [];
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(string? address, string? reason, CancellationToken ct)
    {
        if (!EmailAddress.IsValid(address)) Errors["address"] = "Enter a valid email address.";
        if (reason is { Length: > InputLimits.MaxReasonChars }) Errors["reason"] = $"Keep the reason under {InputLimits.MaxReasonChars} characters.";
        if (Errors.Count > 0) { await LoadAsync(ct); return Page(); }
        var added = await list.AddAsync(address!.Trim(), "manual", string.IsNullOrWhiteSpace(reason) ? "added by hand" : reason.Trim(), ct);
        TempData["Flash"] = added ? $"{address.Trim()} will not be mailed again." : $"{address.Trim()} was already suppressed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string hash, CancellationToken ct)
    {
        TempData["Flash"] = await list.RemoveAsync(hash, ct) ? "Removed: the address may be mailed again." : "That address was not on the list.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var search = string.IsNullOrWhiteSpace(Email) ? null : Email.Trim();
        if (search is not null && !EmailAddress.IsValid(search) && !SuppressionList.IsHash(search))
        {
            Errors["email"] = "Search by a whole email address (the list keeps no readable addresses).";
            search = null;
        }
        Rows = await list.ListAsync(search, Shown, null, ct);
    }
}
