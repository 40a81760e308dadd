using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Timeline;

namespace NurtureEngine.Reports;

public sealed record FunnelStage(string Key, string Name, int Probability, string Kind, int Now, int Entered, int ConvertedToNext,
    double? ConversionToNext, double? MedianSecondsInStage, double? MeanSecondsInStage, double? P90SecondsInStage, decimal WeightedValue, decimal DealValue);
public sealed record Funnel(string Pipeline, string Name, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<FunnelStage> Stages)
{
    public decimal WeightedForecast => Stages.Sum(s => s.WeightedValue);
}
public sealed record CountAt(DateTimeOffset At, int Count);
public sealed record DailyEngagement(DateTimeOffset Day, int Sent, int Opened, int Clicked, int Replied);

/// <summary>
/// Manager reports from the rows the engine already keeps: stage changes (funnel, conversion, time in
/// stage), leads (weighted forecast, velocity) and the timeline (engagement over time).
/// Conversion is cohort-based: of the leads that entered a stage in the period, how many later
/// entered a later stage of the pipeline.
/// </summary>
public sealed class ReportService(NurtureDbContext db, TimeProvider clock)
{
    public async Task<Funnel> FunnelAsync(string pipelineKey, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.AsNoTracking().Include(p => p.Stages).FirstOrDefaultAsync(p => p.Key == pipelineKey, ct)
            ?? throw new NotFoundException($"Pipeline '{pipelineKey}'");
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-90);
        if (start >= end) throw new ValidationException("from", "must be before to");
        var id = pipeline.Id;

        // One ordered index-only scan (ix_stage_change_funnel) thanks to the columns StageMover keeps:
        // a lead's first entry into a stage within the period is the one whose previous entry into it is
        // older (so counting those counts distinct leads), and it converted if any of its entries did.
        // A stint ends with the lead's next change in the pipeline; stints still open are not counted.
        var rows = await db.Database.SqlQuery<StageRow>($"""
            SELECT to_stage_id AS stage_id,
                   count(*) FILTER (WHERE previous_entry_at IS NULL OR previous_entry_at < {start})::int AS entered,
                   count(*) FILTER (WHERE converted AND (previous_entry_at IS NULL OR previous_entry_at < {start}))::int AS converted,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - at)) FILTER (WHERE left_at IS NOT NULL)::float8 AS median,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - at)) FILTER (WHERE left_at IS NOT NULL)::float8 AS p90,
                   avg(extract(epoch FROM left_at - at))::float8 AS mean
            FROM nurture.stage_change WHERE pipeline_id = {id} AND at >= {start} AND at < {end} GROUP BY to_stage_id
            """).ToListAsync(ct);
        var now = await db.Leads.Where(l => l.PipelineId == id).GroupBy(l => l.StageId)
            .Select(g => new { StageId = g.Key, Count = g.Count(), Value = g.Sum(l => l.DealValue ?? 0) }).ToListAsync(ct);

        var ordered = pipeline.OrderedStages.ToList();
        var stages = ordered.Select(s =>
        {
            var n = now.FirstOrDefault(x => x.StageId == s.Id);
            var t = rows.FirstOrDefault(x => x.StageId == s.Id);
            var e = t?.Entered ?? 0;
            var c = t?.Converted ?? 0;
            var value = n?.Value ?? 0;
            return new FunnelStage(s.Key, s.Name, s.Probability, s.Kind.ToString().ToLowerInvariant(), n?.Count ?? 0, e, c,
                e == 0 || s == ordered[^1] ? null : Math.Round((double)c / e, 4), t?.Median, t?.Mean, t?.P90,
                Math.Round(value * s.Probability / 100m, 2), value);
        }).ToList();
        return new Funnel(pipeline.Key, pipeline.Name, start, end, stages);
    }

    /// <summary>Leads created per week, the last <paramref name="weeks"/> weeks (lead velocity).</summary>
    public async Task<IReadOnlyList<CountAt>> VelocityAsync(int weeks, CancellationToken ct)
    {
        var since = clock.GetUtcNow().AddDays(-7 * weeks);
        var rows = await db.Database.SqlQuery<WeekCount>($"""
            SELECT date_trunc('week', created_at) AS week, count(*)::int AS count FROM nurture.lead WHERE created_at >= {since} GROUP BY 1 ORDER BY 1
            """).ToListAsync(ct);
        return rows.Select(r => new CountAt(r.Week, r.Count)).ToList();
    }

    /// <summary>Emails sent, opened, clicked and replied per day, the last <paramref name="days"/> days.</summary>
    public async Task<IReadOnlyList<DailyEngagement>> EngagementAsync(int days, CancellationToken ct)
    {
        var today = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var since = today.AddDays(-days + 1);
        var rows = await db.Database.SqlQuery<DayKindCount>($"""
            SELECT date_trunc('day', at, 'UTC') AS day, kind AS kind, count(*)::int AS count FROM nurture.activity
            WHERE at >= {since} AND kind IN ('email_sent', 'email_opened', 'email_clicked', 'email_replied') GROUP BY 1, 2
            """).ToListAsync(ct);
        return Enumerable.Range(0, days).Select(i =>
        {
            var day = since.AddDays(i);
            int C(string k) => rows.Where(r => r.Day == day && r.Kind == k).Sum(r => r.Count);
            return new DailyEngagement(day, C(ActivityKind.EmailSent), C(ActivityKind.EmailOpened), C(ActivityKind.EmailClicked), C(ActivityKind.EmailReplied));
        }).ToList();
    }

    private sealed class DayKindCount { public DateTimeOffset Day { get; set; } public string Kind { get; set; } = ""; public int Count { get; set; } }
    private sealed class StageRow
    {
        public long StageId { get; set; }
        public int Entered { get; set; }
        public int Converted { get; set; }
        public double? Median { get; set; }
        public double? P90 { get; set; }
        public double? Mean { get; set; }
    }
    private sealed class WeekCount { public DateTimeOffset Week { get; set; } public int Count { get; set; } }
}
