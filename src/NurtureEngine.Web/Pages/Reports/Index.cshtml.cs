using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Pipelines;
using NurtureEngine.Reports;
using NurtureEngine.Sequences;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Reports;

/// <summary>Funnel, conversion, time in stage, weighted forecast, velocity, engagement and sequence performance, drawn as SVG.</summary>
public sealed class IndexModel(ReportService reports, PipelineService pipelines, SequenceService sequences) : PageModel
{
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)] public string? Pipeline { get; set; }
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)] public DateTime? From { get; set; }
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)] public DateTime? To { get; set; }

    public IReadOnlyList<PipelineDto> Pipelines { get; private set; } = [];
    public Funnel? Funnel { get; private set; }
    public IReadOnlyList<CountAt> Velocity { get; private set; } = [];
    public IReadOnlyList<DailyEngagement> Engagement { get; private set; } = [];
    public IReadOnlyList<(string Key, string Name, IReadOnlyList<StepStats> Steps, IReadOnlyList<VariantStats> Variants)> SequenceStats { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        Pipeline ??= Pipelines.FirstOrDefault(p => p.IsDefault)?.Key ?? Pipelines.FirstOrDefault()?.Key;
        try
        {
            if (Pipeline is not null)
                Funnel = await reports.FunnelAsync(Pipeline, Utc(From), To is { } t ? Utc(t.AddDays(1)) : null, ct);
        }
        catch (Exception e) when (e is ValidationException or NotFoundException) { Error = e.Message; }
        Velocity = await reports.VelocityAsync(8, ct);
        Engagement = await reports.EngagementAsync(14, ct);
        var list = new List<(string, string, IReadOnlyList<StepStats>, IReadOnlyList<VariantStats>)>();
        foreach (var s in await sequences.ListAsync(ct))
            list.Add((s.Key, s.Name, await sequences.StatsAsync(s.Key, ct), await sequences.VariantStatsAsync(s.Key, ct)));
        SequenceStats = list;
    }

    public BarChart FunnelChart => new("Leads in each stage now",
        Funnel!.Stages.Select(s => new BarChart.Bar(s.Name, s.Now, s.Now.ToString(CultureInfo.InvariantCulture),
            s.ConversionToNext is { } c ? $"entered {s.Entered}, {Percent(c)} went further" : $"entered {s.Entered}")).ToList());

    public BarChart TimeChart => new("Median time in stage (p90 in brackets)",
        Funnel!.Stages.Where(s => s.MedianSecondsInStage is not null).Select(s => new BarChart.Bar(s.Name, s.MedianSecondsInStage!.Value / 86400,
            $"{Humane.Duration(s.MedianSecondsInStage)} ({Humane.Duration(s.P90SecondsInStage)})")).ToList(), "#0d9488");

    public BarChart ForecastChart => new($"Weighted forecast: {Funnel!.WeightedForecast.ToString("N0", CultureInfo.InvariantCulture)}",
        Funnel.Stages.Select(s => new BarChart.Bar(s.Name, (double)s.WeightedValue, s.WeightedValue.ToString("N0", CultureInfo.InvariantCulture),
            $"= {s.DealValue.ToString("N0", CultureInfo.InvariantCulture)} × {s.Probability}%")).ToList(), "#7c3aed");

    public BarChart VelocityChart => new("New leads per week",
        Velocity.Select(v => new BarChart.Bar(v.At.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), v.Count, v.Count.ToString(CultureInfo.InvariantCulture))).ToList(), "#ea580c");

    public BarChart EngagementChart => new("Emails sent per day (opened · clicked · replied)",
        Engagement.Select(d => new BarChart.Bar(d.Day.ToString("MM-dd", CultureInfo.InvariantCulture), d.Sent, d.Sent.ToString(CultureInfo.InvariantCulture),
            $"{d.Opened} · {d.Clicked} · {d.Replied}")).ToList(), "#0284c7");

    public static BarChart StepChart(string name, IReadOnlyList<StepStats> steps) => new($"{name}: sent per email step (opened · clicked · replied)",
        steps.Where(s => s.Type is "email").Select(s => new BarChart.Bar(s.Step, s.Sent, s.Sent.ToString(CultureInfo.InvariantCulture),
            s.Sent == 0 ? null : $"{s.Opened} · {s.Clicked} · {s.Replied} ({Percent((double)s.Clicked / s.Sent)} clicked)")).ToList(), "#16a34a");

    public static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static DateTimeOffset? Utc(DateTime? d) => d is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v.Date, DateTimeKind.Utc)) : null;
}
