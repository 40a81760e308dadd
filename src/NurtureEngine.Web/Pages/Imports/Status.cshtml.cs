using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Imports;

namespace NurtureEngine.Web.Pages.Imports;

/// <summary>An import's progress while the workers run it (the page reloads itself, no script needed), then its summary.</summary>
public sealed class StatusModel(LeadImportService imports) : PageModel
{
    public const int RefreshSeconds = 2;
    public LeadImportProgress Import { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await imports.GetAsync(id, ct) is not { } import) return NotFound();
        Import = import;
        return Page();
    }
}
