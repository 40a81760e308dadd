using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Sales;

namespace NurtureEngine.Web.Pages.Companies;

/// <summary>A company: its leads, its deals and their combined timeline.</summary>
public sealed class DetailsModel(CompanyService companies) : PageModel
{
    public CompanyDetails Company { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await companies.GetAsync(id, 200, ct) is not { } c) return NotFound();
        Company = c;
        return Page();
    }
}
