using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Sales;

namespace NurtureEngine.Web.Pages.Companies;

/// <summary>Companies, searchable by name or domain.</summary>
public sealed class IndexModel(CompanyService companies) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    public IReadOnlyList<CompanyDto> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Items = await companies.ListAsync(Q, 200, ct);
}
