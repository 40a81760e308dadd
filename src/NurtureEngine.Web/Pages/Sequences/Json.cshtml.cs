using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Sequences;

namespace NurtureEngine.Web.Pages.Sequences;

/// <summary>The definition as the API sees it, for power users; saved through the same service.</summary>
public sealed class JsonModel(SequenceService sequences) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    [BindProperty] public string Definition { get; set; } = "";
    public IReadOnlyList<string> Errors { get; private set; } = [];

    private static readonly JsonSerializerOptions Indented = new(Json.Options) { WriteIndented = true };

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await sequences.GetAsync(Key, ct) is not { } stored) return NotFound();
        var json = stored.ToJson();
        foreach (var k in new[] { "key", "version", "status" }) json.Remove(k);
        Definition = json.ToJsonString(Indented);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        try
        {
            var definition = JsonSerializer.Deserialize<SequenceDefinition>(Definition, Json.Options) ?? throw new JsonException("empty");
            var (saved, _) = await sequences.PutAsync(Key, definition, ct);
            TempData["Flash"] = $"Published version {saved.Version}.";
            return RedirectToPage(new { key = Key });
        }
        catch (JsonException e) { Errors = [$"The JSON does not parse: {e.Message}"]; }
        catch (ValidationException e) { Errors = e.Errors.SelectMany(kv => kv.Value.Select(v => $"{kv.Key}: {v}")).ToList(); }
        return Page();
    }
}
