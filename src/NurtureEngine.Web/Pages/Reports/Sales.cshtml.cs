using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Pipelines;
using NurtureEngine.Sales;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Reports;

/// <summary>Sales KPIs of a deal pipeline: the figures, charts of them, and the same as CSV. A rep sees their own figures unless they choose everyone's.</summary>
public sealed class SalesModel(SalesReportService reports, PipelineService pipelines, SalesTargetService targets, LeadDirectory directory) : PageModel
{
    public const string Everyone = "all";

    [BindProperty(SupportsGet = true)] public string? Pipeline { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }
    /// <summary>An owner's email, <c>all</c>, or empty for the default (a rep's own figures; everyone's for managers).</summary>
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }

    public IReadOnlyList<PipelineDto> DealPipelines { get; private set; } = [];
    public SalesReport? Report { get; private set; }
    public Forecast? Forecast { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public string Me => User.Identity?.Name?.ToLowerInvariant() ?? "";
    public bool IsRep => !User.IsInRole("Admin") && !User.IsInRole("Marketer");
    public string OwnerChoice => string.IsNullOrWhiteSpace(Owner) ? (IsRep ? Me : Everyone) : Owner.Trim().ToLowerInvariant();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>An admin sets a rep's monthly target; the report then shows attainment.</summary>
    public async Task<IActionResult> OnPostTargetAsync(string? targetOwner, decimal? monthly, CancellationToken ct)
    {
        if (!User.IsInRole("Admin")) return Forbid();
        try
        {
            await targets.SetAsync(targetOwner ?? "", monthly, ct);
            return RedirectToPage(new { Pipeline, From = From?.ToString("yyyy-MM-dd"), To = To?.ToString("yyyy-MM-dd"), Owner = OwnerChoice });
        }
        catch (ValidationException e) { Error = e.Message; }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Report is not { } r) return NotFound();
        return File(Encoding.UTF8.GetBytes(SalesReportCsv.Write(r, Forecast)), "text/csv", $"sales-{r.Pipeline}.csv");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        DealPipelines = (await pipelines.ListAsync(ct)).Where(p => p.Object == "deal").ToList();
        Owners = await directory.OwnersAsync(ct);
        Pipeline ??= DealPipelines.FirstOrDefault()?.Key;
        if (Pipeline is null) return;
        try
        {
            var from = From is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            var to = To is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.AddDays(1), DateTimeKind.Utc)) : (DateTimeOffset?)null;
            Report = await reports.SalesAsync(Pipeline, from, to, OwnerChoice == Everyone ? null : OwnerChoice, ct);
            Forecast = await reports.ForecastAsync(Pipeline, null, null, ct);
        }
        catch (Exception e) when (e is ValidationException or NotFoundException) { Error = e.Message; }
    }

    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";
    public static string Money(decimal? v) => v?.ToString("N0", CultureInfo.InvariantCulture) ?? "—";

    public LineChart WonByMonthChart => new("Won amount per month, beside the same month a year earlier",
        Report!.WonByMonth.Select(m => m.Month).ToList(),
        [new LineChart.Series("This period", Report.WonByMonth.Select(m => (double)m.WonAmount).ToList(), "#0d9488"),
         new LineChart.Series("A year earlier", Report.WonByMonth.Select(m => (double)m.WonAmountYearEarlier).ToList(), "#94a3b8", Dashed: true)]);
    public BarChart ForecastChart => new("Weighted forecast by close month",
        (Forecast?.Months ?? []).Select(m => new BarChart.Bar(m.Month ?? "no date", (double)m.WeightedAmount, Money(m.WeightedAmount),
            $"{m.Count} deal(s), {Money(m.Amount)} unweighted")).ToList(), "#7c3aed");
    public BarChart LostChart => new("Lost reasons",
        Report!.LostReasons.Select(l => new BarChart.Bar(l.Reason, l.Count, l.Count.ToString(CultureInfo.InvariantCulture))).ToList(), "#dc2626");
    public BarChart OwnerChart => new("Won amount per owner",
        Report!.ByOwner.Select(o => new BarChart.Bar(o.Owner ?? "no owner", (double)o.WonAmount, Money(o.WonAmount), $"win rate {Percent(o.WinRate)}")).ToList(), "#0d9488");
    public BarChart HandoffChart => new("Hand-off acceptance rate per rep",
        Report!.Handoffs.ByOwner.Select(h => new BarChart.Bar(h.Owner, (h.AcceptanceRate ?? 0) * 100, Percent(h.AcceptanceRate),
            $"{h.Accepted} accepted, {h.Rejected} rejected, {h.Breached} SLA breaches")).ToList(), "#2563eb");
    public BarChart SourceChart => new("Won amount per source (first touch)",
        Report!.BySource.Select(s => new BarChart.Bar(s.Source ?? "no source", (double)s.WonAmount, Money(s.WonAmount), $"{s.Leads} leads, {s.Mqls} MQLs, {s.Won} won")).ToList(), "#ea580c");
}
