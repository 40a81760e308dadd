using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;

namespace NurtureEngine.Web.Pages.Leads;

public sealed class IndexModel(LeadService leads) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Stage { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    public LeadPage Results { get; private set; } = new([], null);
    public string? Me => User.Identity?.Name?.ToLowerInvariant();

    public async Task OnGetAsync(CancellationToken ct)
    {
        try
        {
            Results = await leads.ListAsync(new LeadQuery(Stage: string.IsNullOrWhiteSpace(Stage) ? null : Stage.Trim(), Q: Q, Cursor: Cursor), ct);
        }
        catch (ValidationException e)
        {
            ModelState.AddModelError("", e.Message);
        }
    }
}
