using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Sales;

namespace NurtureEngine.Web.Pages.Companies;

/// <summary>Companies, searchable by name or domain; a new one is upserted by domain, as <c>POST /api/v1/companies</c> does.</summary>
public sealed class IndexModel(CompanyService companies) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    public IReadOnlyList<CompanyDto> Items { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Items = await companies.ListAsync(Q, 200, ct);

    public async Task<IActionResult> OnPostAsync(string? name, string? domain, CancellationToken ct)
    {
        try
        {
            var (company, created) = await companies.UpsertAsync(new CompanyInput { Name = string.IsNullOrWhiteSpace(name) ? null : name, Domain = domain }, ct);
            TempData["Flash"] = $"{(created ? "Created" : "Updated")} {company.Name}: {company.LeadCount} lead(s) at {company.Domain}.";
            return Redirect($"/companies/{company.Id}");
        }
        catch (ValidationException e)
        {
            Error = "Not saved: " + string.Join(" ", e.Errors.Select(x => $"{x.Key} {string.Join(", ", x.Value)}."));
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        Items = await companies.ListAsync(Q, 200, ct);
        return Page();
    }
}
