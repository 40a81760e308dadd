using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Sequences;

namespace NurtureEngine.Web.Pages.Sequences;

public sealed class IndexModel(SequenceService sequences) : PageModel
{
    public sealed record Row(string Key, string Name, string Status, string Trigger, int Version, IReadOnlyList<StepStats> Stats);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostNewAsync(string? key, CancellationToken ct)
    {
        key = key?.Trim().ToLowerInvariant();
        if (!Slug.IsKey(key)) Error = "A key is a lowercase slug: letters, digits and dashes, e.g. trial-onboarding.";
        else if (await sequences.GetAsync(key!, ct) is not null) Error = $"A sequence '{key}' exists already.";
        else return RedirectToPage("Edit", new { key });
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostStatusAsync(string key, bool pause, CancellationToken ct)
    {
        try { await sequences.SetStatusAsync(key, pause ? SequenceStatus.Paused : SequenceStatus.Active, ct); }
        catch (NotFoundException) { return NotFound(); }
        TempData["Flash"] = pause ? $"{key} is paused: leads keep their place." : $"{key} is running again.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var rows = new List<Row>();
        foreach (var s in await sequences.ListAsync(ct))
        {
            var trigger = s.ToJson()["trigger"] as JsonObject;
            var triggerText = trigger is null ? "" : string.Join(" ", trigger.Select(kv => kv.Key == "type" ? kv.Value?.ToString() : $"{kv.Key}={kv.Value}"));
            rows.Add(new Row(s.Key, s.Name, s.Status.ToString().ToLowerInvariant(), triggerText, s.Version, await sequences.StatsAsync(s.Key, ct)));
        }
        Rows = rows;
    }
}
