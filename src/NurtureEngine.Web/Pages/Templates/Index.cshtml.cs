using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Templates;

namespace NurtureEngine.Web.Pages.Templates;

public sealed class IndexModel(TemplateService templates) : PageModel
{
    public IReadOnlyList<TemplateDto> Templates { get; private set; } = [];
    public IReadOnlyList<GalleryTemplate> Gallery { get; } = TemplateGallery.All();
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

    /// <summary>
    /// Opens the editor on a copy of a gallery template (saved only when the marketer saves). The
    /// gallery's layout is installed first when this database has none of that name.
    /// </summary>
    public async Task<IActionResult> OnPostFromGalleryAsync(string? key, string? from, CancellationToken ct)
    {
        key = key?.Trim().ToLowerInvariant();
        var start = TemplateGallery.Find(from);
        if (start is null) Error = "Choose a template from the gallery.";
        else if (!Slug.IsKey(key)) Error = "A key is a lowercase slug: letters, digits and dashes, e.g. welcome-2.";
        else if (await templates.GetAsync(key!, ct) is not null) Error = $"A template '{key}' exists already: choose another key.";
        else
        {
            if (start.Template.Layout is { } layout && await templates.GetAsync(layout, ct) is null)
                await templates.PutAsync(layout, TemplateGallery.Layout(layout), ct);
            return RedirectToPage("Edit", new { key, from });
        }
        Templates = await templates.ListAsync(ct);
        return Page();
    }
}
