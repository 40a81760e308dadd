using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Broadcasts;
using NurtureEngine.Common;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Broadcasts;

/// <summary>
/// A broadcast's results: the funnel (sent → opened → clicked → replied), opens and clicks per hour, the links,
/// unsubscribes, bounces and complaints, the A/B decision; and pause, resume, cancel.
/// </summary>
public sealed class ReportModel(BroadcastService broadcasts, BroadcastReport report, ViewerClock viewer) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    public BroadcastDto Broadcast { get; private set; } = null!;
    public BarChart Funnel { get; private set; } = null!;
    public BarChart Hourly { get; private set; } = null!;
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try { Broadcast = await broadcasts.GetAsync(Key, ct); }
        catch (NotFoundException) { return NotFound(); }
        var s = Broadcast.Stats;
        string Of(int n) => s.Sent == 0 ? $"{n:N0}" : $"{n:N0} ({(double)n / s.Sent:P1})";
        Funnel = new BarChart("Funnel", [
            new("Sent", s.Sent, $"{s.Sent:N0}"), new("Opened", s.Opened, Of(s.Opened)),
            new("Clicked", s.Clicked, Of(s.Clicked)), new("Replied", s.Replied, Of(s.Replied))]);
        var zone = await viewer.ZoneAsync();
        var hours = await report.HourlyAsync(Broadcast.Id, ct);
        Hourly = new BarChart($"Opens and clicks per hour ({zone.Id})", hours.Select(h => new BarChart.Bar(
            TimeZoneInfo.ConvertTime(h.Hour, zone).ToString("d MMM, HH:00", CultureInfo.InvariantCulture), h.Opens,
            $"{h.Opens} open{(h.Opens == 1 ? "" : "s")}, {h.Clicks} click{(h.Clicks == 1 ? "" : "s")}")).ToList(), "#16a34a");
        return Page();
    }

    public Task<IActionResult> OnPostPauseAsync(CancellationToken ct) => ActAsync(broadcasts.PauseAsync, "paused", ct);
    public Task<IActionResult> OnPostResumeAsync(CancellationToken ct) => ActAsync(broadcasts.ResumeAsync, "resumed", ct);
    public Task<IActionResult> OnPostCancelAsync(CancellationToken ct) => ActAsync(broadcasts.CancelAsync, "cancelled", ct);
    public Task<IActionResult> OnPostSendAsync(CancellationToken ct) => ActAsync(broadcasts.SendAsync, "sending", ct);

    private async Task<IActionResult> ActAsync(Func<string, CancellationToken, Task<BroadcastDto>> action, string done, CancellationToken ct)
    {
        try
        {
            var b = await action(Key, ct);
            TempData["Flash"] = $"\"{b.Name}\" {done}.";
        }
        catch (ConflictException e) { TempData["Flash"] = e.Message; }
        catch (NotFoundException) { return NotFound(); }
        return RedirectToPage(new { key = Key });
    }
}
