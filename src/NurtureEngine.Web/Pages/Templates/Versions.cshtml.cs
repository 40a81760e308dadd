using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Templates;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Templates;

public sealed class VersionsModel(TemplateService templates) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    /// <summary>The version compared with the current one.</summary>
    [BindProperty(SupportsGet = true)] public int? Compare { get; set; }

    public IReadOnlyList<TemplateVersion> Versions { get; private set; } = [];
    public IReadOnlyList<(string Part, IReadOnlyList<LineDiff.Line> Lines)> Diff { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try { Versions = await templates.VersionsAsync(Key, ct); }
        catch (NotFoundException) { return NotFound(); }
        var current = Versions[0];
        var old = Versions.FirstOrDefault(v => v.Version == (Compare ?? current.Version - 1));
        if (old is not null && old.Version != current.Version)
        {
            Compare = old.Version;
            Diff =
            [
                ("subject", LineDiff.Compute(old.Subject, current.Subject)), ("html", LineDiff.Compute(old.Html, current.Html)),
                ("text", LineDiff.Compute(old.Text, current.Text)), ("layout", LineDiff.Compute(old.Layout, current.Layout)),
            ];
        }
        return Page();
    }

    public async Task<IActionResult> OnPostRestoreAsync(int version, CancellationToken ct)
    {
        try
        {
            var restored = await templates.RestoreAsync(Key, version, ct);
            TempData["Flash"] = $"Version {version} restored as version {restored.Version}.";
        }
        catch (NotFoundException) { return NotFound(); }
        catch (ValidationException e) { TempData["Flash"] = "Could not restore: " + e.Message; }
        return RedirectToPage(new { key = Key });
    }
}
