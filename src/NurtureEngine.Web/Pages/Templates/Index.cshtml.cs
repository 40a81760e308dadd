using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Templates;

namespace NurtureEngine.Web.Pages.Templates;

public sealed class IndexModel(TemplateService templates) : PageModel
{
    public IReadOnlyList<TemplateDto> Templates { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Templates = await templates.ListAsync(ct);

    public async Task<IActionResult> OnPostNewAsync(string? key, CancellationToken ct)
    {
        key = key?.Trim().ToLowerInvariant();
        if (!Slug.IsKey(key)) Error = "A key is a lowercase slug: letters, digits and dashes, e.g. welcome-2.";
        else if (await templates.GetAsync(key!, ct) is not null) Error = $"A template '{key}' exists already.";
        else return RedirectToPage("Edit", new { key });
        Templates = await templates.ListAsync(ct);
        return Page();
    }
}
