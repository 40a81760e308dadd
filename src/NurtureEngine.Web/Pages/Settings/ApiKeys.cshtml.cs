using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.ApiKeys;

namespace NurtureEngine.Web.Pages.Settings;

public sealed class ApiKeysModel(ApiKeyService keys) : PageModel
{
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    /// <summary>The plain key, shown on this one response only.</summary>
    public string? Created { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Keys = await keys.ListAsync(ct);

    public async Task OnPostCreateAsync(string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100) Error = "Give the key a name (at most 100 characters) saying who uses it.";
        else Created = await keys.CreateAsync(name.Trim(), ct);
        Keys = await keys.ListAsync(ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        TempData["Flash"] = await keys.RevokeAsync(id, ct) ? "The key was revoked: requests with it now get 401." : "That key was already revoked.";
        return RedirectToPage();
    }
}
