using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Pipelines;

namespace NurtureEngine.Sales;

public sealed record ForecastMonth(string? Month, int Count, decimal Amount, decimal WeightedAmount);
public sealed record Forecast(string Pipeline, DateOnly? From, DateOnly? To, IReadOnlyList<ForecastMonth> Months, ForecastMonth Total);

public sealed record LostReasonCount(string Reason, int Count);
/// <param name="Target">The owner's monthly target prorated to the period (null: no target set).</param>
/// <param name="Attainment">Won amount ÷ target, a fraction (1 = met).</param>
public sealed record OwnerFigures(string? Owner, int Open, int Won, int Lost, decimal WonAmount, double? WinRate, decimal? AverageDealSize,
    decimal? Target = null, double? Attainment = null);
public sealed record SourceFigures(string? Source, int Leads, int Mqls, int Won, decimal WonAmount);
/// <summary>The headline figures of a period (also for the same period a year earlier).</summary>
public sealed record PeriodFigures(DateTimeOffset From, DateTimeOffset To, int Won, int Lost, decimal WonAmount,
    double? WinRate, decimal? AverageDealSize, double? AverageCycleDays);
/// <summary>One calendar month (UTC) of the period: deals won in it, and in the same month a year earlier.</summary>
public sealed record WonMonth([property: System.Text.Json.Serialization.JsonIgnore] DateOnly First, int Won, decimal WonAmount, int WonYearEarlier, decimal WonAmountYearEarlier)
{
    /// <summary>"2026-03", as the API and the CSV name a month.</summary>
    public string Month => Name(First);

    /// <summary>The same month a year earlier ("2025-03"): what the year-earlier figures are of.</summary>
    public string MonthYearEarlier => Name(First.AddYears(-1));

    private static string Name(DateOnly first) => first.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record SalesReport(string Pipeline, string? Owner, DateTimeOffset From, DateTimeOffset To,
    double? WinRate, decimal? AverageDealSize, double? AverageCycleDays, decimal? VelocityPerDay,
    int OpenDeals, decimal OpenAmount, int Won, int Lost, decimal WonAmount,
    IReadOnlyList<LostReasonCount> LostReasons, IReadOnlyList<OwnerFigures> ByOwner, IReadOnlyList<SourceFigures> BySource,
    PeriodFigures PreviousYear, HandoffFigures Handoffs, IReadOnlyList<SourceFigures> BySourceLastTouch, IReadOnlyList<WonMonth> WonByMonth);

/// <summary>
/// Sales KPIs over a deal pipeline, each one aggregate statement over the deal table. A deal counts in a
/// period when it closed (entered a won or lost stage) in it; open deals are those open now.
/// win rate = won ÷ (won + lost); average deal size = mean amount of won deals; cycle = mean days from
/// a won deal's creation to its close; velocity per day = open deals × win rate × average deal size ÷ cycle.
/// </summary>
public sealed class SalesReportService(NurtureDbContext db, HandoffReport handoffs, TimeProvider clock)
{
    public async Task<Forecast> ForecastAsync(string pipelineKey, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var pipeline = await DealPipelineAsync(pipelineKey, ct);
        DateOnly? start = from is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : null;
        DateOnly? end = to is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : null;
        if (start > end) throw new ValidationException("from", "must be before to");
        var rows = await db.Database.SqlQuery<ForecastRow>($"""
            SELECT to_char(d.close_date, 'YYYY-MM') AS month, count(*)::int AS count,
                   coalesce(sum(d.amount), 0) AS amount, coalesce(sum(round(d.amount * s.probability / 100.0, 2)), 0) AS weighted_amount
            FROM nurture.deal d JOIN nurture.stage s ON s.id = d.stage_id
            WHERE d.pipeline_id = {pipeline.Id} AND s.kind = 'Open'
              AND ({start}::date IS NULL OR d.close_date >= {start}::date) AND ({end}::date IS NULL OR d.close_date <= {end}::date)
            GROUP BY 1 ORDER BY 1 NULLS LAST
            """).ToListAsync(ct);
        var months = rows.Select(r => new ForecastMonth(r.Month, r.Count, r.Amount, r.WeightedAmount)).ToList();
        return new Forecast(pipeline.Key, start, end, months,
            new ForecastMonth(null, months.Sum(m => m.Count), months.Sum(m => m.Amount), months.Sum(m => m.WeightedAmount)));
    }

    public async Task<SalesReport> SalesAsync(string? pipelineKey, DateTimeOffset? from, DateTimeOffset? to, string? owner, CancellationToken ct)
    {
        var pipeline = pipelineKey is null
            ? await db.Pipelines.AsNoTracking().Where(p => p.Object == PipelineObject.Deal).OrderBy(p => p.Id).FirstOrDefaultAsync(ct)
                ?? throw new ValidationException("pipeline", "no deal pipeline exists yet")
            : await DealPipelineAsync(pipelineKey, ct);
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-90);
        if (start >= end) throw new ValidationException("from", "must be before to");
        owner = owner?.Trim().ToLowerInvariant();
        var id = pipeline.Id;

        var current = await PeriodAsync(id, start, end, owner, ct);
        var previous = await PeriodAsync(id, start.AddYears(-1), end.AddYears(-1), owner, ct);
        var open = (await db.Database.SqlQuery<OpenRow>($"""
            SELECT count(*)::int AS count, coalesce(sum(d.amount), 0) AS amount
            FROM nurture.deal d JOIN nurture.stage s ON s.id = d.stage_id
            WHERE d.pipeline_id = {id} AND s.kind = 'Open' AND ({owner}::text IS NULL OR d.owner = {owner}::text)
            """).ToListAsync(ct)).Single();
        decimal? velocity = current is { WinRate: { } rate, AverageDealSize: { } size, AverageCycleDays: > 0 and var cycle }
            ? Math.Round(open.Count * (decimal)rate * size / (decimal)cycle, 2) : null;

        var lostReasons = await db.Database.SqlQuery<LostReasonCount>($"""
            SELECT coalesce(d.lost_reason, '(none)') AS reason, count(*)::int AS count
            FROM nurture.deal d JOIN nurture.stage s ON s.id = d.stage_id
            WHERE d.pipeline_id = {id} AND s.kind = 'Lost' AND d.closed_at >= {start} AND d.closed_at < {end}
              AND ({owner}::text IS NULL OR d.owner = {owner}::text)
            GROUP BY 1 ORDER BY 2 DESC, 1
            """).ToListAsync(ct);
        var byOwner = (await db.Database.SqlQuery<OwnerRow>($"""
            SELECT d.owner AS owner,
                   count(*) FILTER (WHERE s.kind = 'Open')::int AS open,
                   count(*) FILTER (WHERE s.kind = 'Won' AND d.closed_at >= {start} AND d.closed_at < {end})::int AS won,
                   count(*) FILTER (WHERE s.kind = 'Lost' AND d.closed_at >= {start} AND d.closed_at < {end})::int AS lost,
                   coalesce(sum(d.amount) FILTER (WHERE s.kind = 'Won' AND d.closed_at >= {start} AND d.closed_at < {end}), 0) AS won_amount,
                   avg(d.amount) FILTER (WHERE s.kind = 'Won' AND d.closed_at >= {start} AND d.closed_at < {end}) AS average_deal_size
            FROM nurture.deal d JOIN nurture.stage s ON s.id = d.stage_id
            WHERE d.pipeline_id = {id} AND ({owner}::text IS NULL OR d.owner = {owner}::text)
              AND (s.kind = 'Open' OR (d.closed_at >= {start} AND d.closed_at < {end}))
            GROUP BY d.owner ORDER BY 5 DESC, 1 NULLS LAST
            """).ToListAsync(ct))
            .Select(r => new OwnerFigures(r.Owner, r.Open, r.Won, r.Lost, r.WonAmount, Rate(r.Won, r.Lost), Round(r.AverageDealSize))).ToList();
        byOwner = await WithTargetsAsync(byOwner, (end - start).TotalDays, ct);
        var (bySource, bySourceLastTouch) = await SourcesAsync(id, start, end, owner, ct);

        return new SalesReport(pipeline.Key, owner, start, end, current.WinRate, current.AverageDealSize, current.AverageCycleDays, velocity,
            open.Count, open.Amount, current.Won, current.Lost, current.WonAmount, lostReasons, byOwner, bySource, previous,
            await handoffs.FiguresAsync(start, end, owner, ct), bySourceLastTouch, await WonByMonthAsync(id, start, end, owner, ct));
    }

    /// <summary>At most this many months are listed (the last of the period); the period's totals still count all of it.</summary>
    public const int MaxMonths = 60;

    /// <summary>Won deals per month of the period beside the same month a year earlier, in one statement; months with none are listed as 0.</summary>
    private async Task<List<WonMonth>> WonByMonthAsync(long pipelineId, DateTimeOffset start, DateTimeOffset end, string? owner, CancellationToken ct)
    {
        var (earlierStart, earlierEnd) = (start.AddYears(-1), end.AddYears(-1));
        var rows = await db.Database.SqlQuery<MonthRow>($"""
            SELECT to_char((d.closed_at AT TIME ZONE 'UTC') + CASE WHEN d.closed_at >= {start} THEN interval '0' ELSE interval '1 year' END, 'YYYY-MM') AS month,
                   (d.closed_at >= {start}) AS current, count(*)::int AS won, coalesce(sum(d.amount), 0) AS won_amount
            FROM nurture.deal d JOIN nurture.stage s ON s.id = d.stage_id
            WHERE d.pipeline_id = {pipelineId} AND s.kind = 'Won' AND ({owner}::text IS NULL OR d.owner = {owner}::text)
              AND ((d.closed_at >= {start} AND d.closed_at < {end}) OR (d.closed_at >= {earlierStart} AND d.closed_at < {earlierEnd}))
            GROUP BY 1, 2
            """).ToListAsync(ct);
        var last = new DateOnly(end.UtcDateTime.Year, end.UtcDateTime.Month, 1);
        if (end.UtcDateTime == last.ToDateTime(TimeOnly.MinValue)) last = last.AddMonths(-1); // the period ends at that month's first instant
        var first = new DateOnly(start.UtcDateTime.Year, start.UtcDateTime.Month, 1);
        if (last.AddMonths(-(MaxMonths - 1)) > first) first = last.AddMonths(-(MaxMonths - 1));
        var months = new List<WonMonth>();
        for (var m = first; m <= last; m = m.AddMonths(1))
        {
            var key = m.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
            var now = rows.Find(r => r.Month == key && r.Current);
            var before = rows.Find(r => r.Month == key && !r.Current);
            months.Add(new WonMonth(m, now?.Won ?? 0, now?.WonAmount ?? 0, before?.Won ?? 0, before?.WonAmount ?? 0));
        }
        return months;
    }

    private async Task<PeriodFigures> PeriodAsync(long pipelineId, DateTimeOffset start, DateTimeOffset end, string? owner, CancellationToken ct)
    {
        var r = (await db.Database.SqlQuery<PeriodRow>($"""
            SELECT count(*) FILTER (WHERE s.kind = 'Won')::int AS won,
                   count(*) FILTER (WHERE s.kind = 'Lost')::int AS lost,
                   coalesce(sum(d.amount) FILTER (WHERE s.kind = 'Won'), 0) AS won_amount,
                   avg(d.amount) FILTER (WHERE s.kind = 'Won') AS average_deal_size,
                   (avg(extract(epoch FROM d.closed_at - d.created_at)) FILTER (WHERE s.kind = 'Won') / 86400.0)::float8 AS average_cycle_days
            FROM nurture.deal d JOIN nurture.stage s ON s.id = d.stage_id
            WHERE d.pipeline_id = {pipelineId} AND s.kind <> 'Open' AND d.closed_at >= {start} AND d.closed_at < {end}
              AND ({owner}::text IS NULL OR d.owner = {owner}::text)
            """).ToListAsync(ct)).Single();
        return new PeriodFigures(start, end, r.Won, r.Lost, r.WonAmount, Rate(r.Won, r.Lost), Round(r.AverageDealSize),
            r.AverageCycleDays is { } days ? Math.Round(days, 2) : null);
    }

    /// <summary>Goal attainment: each owner with a target gets it prorated to the period; owners with a target and no deal are listed too.</summary>
    private async Task<List<OwnerFigures>> WithTargetsAsync(List<OwnerFigures> byOwner, double days, CancellationToken ct)
    {
        var targets = await db.SalesTargets.AsNoTracking().ToDictionaryAsync(t => t.Owner, t => t.MonthlyAmount, ct);
        if (targets.Count == 0) return byOwner;
        var rows = byOwner.Select(o => o.Owner is { } name && targets.TryGetValue(name, out var monthly) ? Attain(o, monthly) : o).ToList();
        rows.AddRange(targets.Where(t => byOwner.All(o => o.Owner != t.Key)).Select(t => Attain(new OwnerFigures(t.Key, 0, 0, 0, 0, null, null), t.Value)));
        return rows;

        OwnerFigures Attain(OwnerFigures o, decimal monthly)
        {
            var target = SalesTargetService.ForPeriod(monthly, days);
            return o with { Target = target, Attainment = target == 0 ? null : Math.Round((double)(o.WonAmount / target), 4) };
        }
    }

    /// <summary>
    /// Source attribution, first touch (the lead's <c>source</c> when it was made) and last touch
    /// (<c>last_touch_source</c>, else its source), in one statement: leads made in the period, of those how
    /// many reached the lead pipeline's <c>mql</c> stage or a later one (<c>lead.reached_mql_at</c>), and the won
    /// deals (closed in the period) of leads from that source. The period's whole UTC days come from
    /// <c>lead_source_total</c>, which the database keeps (a trigger in the Initial migration); only the leads made in its
    /// partial first and last day are read one by one. So the cost is O(days + leads of two days), not O(leads).
    /// </summary>
    private async Task<(List<SourceFigures> First, List<SourceFigures> Last)> SourcesAsync(long pipelineId, DateTimeOffset start, DateTimeOffset end,
        string? owner, CancellationToken ct)
    {
        // Whole days [firstDay, lastDay) from the totals; leads made in [start, edgeEnd) and [edgeStart, end) one by one.
        var days = WholeDays(start, end);
        DateOnly? firstDay = days?.First, lastDay = days?.Last;
        var edgeEnd = firstDay is { } f ? Midnight(f) : end;
        var edgeStart = lastDay is { } l ? Midnight(l) : end;
        if (days is { } whole) await FoldSourceTotalsAsync(whole.First, whole.Last, ct);
        var rows = await db.Database.SqlQuery<SourceRow>($"""
            WITH made_rows AS (
                SELECT owner, source, last_touch_source, leads, mqls FROM nurture.lead_source_total
                WHERE day >= {firstDay}::date AND day < {lastDay}::date
                UNION ALL
                SELECT owner, source, last_touch_source, 1, (reached_mql_at IS NOT NULL)::int FROM nurture.lead
                WHERE (created_at >= {start} AND created_at < {edgeEnd}) OR (created_at >= {edgeStart} AND created_at < {end})),
            made AS (
                SELECT t.last_touch, coalesce(t.source, '') AS source, sum(r.leads)::int AS leads, sum(r.mqls)::int AS mqls
                FROM made_rows r
                CROSS JOIN LATERAL (VALUES (false, r.source), (true, coalesce(r.last_touch_source, r.source))) AS t(last_touch, source)
                WHERE {owner}::text IS NULL OR r.owner = {owner}::text
                GROUP BY 1, 2 HAVING sum(r.leads) > 0),
            won AS (
                SELECT t.last_touch, coalesce(t.source, '') AS source, count(*)::int AS won, coalesce(sum(d.amount), 0) AS won_amount
                FROM nurture.deal d JOIN nurture.stage s ON s.id = d.stage_id JOIN nurture.lead l ON l.id = d.lead_id
                CROSS JOIN LATERAL (VALUES (false, l.source), (true, coalesce(l.last_touch_source, l.source))) AS t(last_touch, source)
                WHERE d.pipeline_id = {pipelineId} AND s.kind = 'Won' AND d.closed_at >= {start} AND d.closed_at < {end}
                  AND ({owner}::text IS NULL OR d.owner = {owner}::text)
                GROUP BY 1, 2)
            SELECT coalesce(made.last_touch, won.last_touch) AS last_touch, nullif(coalesce(made.source, won.source), '') AS source,
                   coalesce(made.leads, 0) AS leads, coalesce(made.mqls, 0) AS mqls, coalesce(won.won, 0) AS won, coalesce(won.won_amount, 0) AS won_amount
            FROM made FULL JOIN won ON made.last_touch = won.last_touch AND made.source = won.source
            ORDER BY 6 DESC, 3 DESC, 2 NULLS LAST
            """).ToListAsync(ct);
        List<SourceFigures> Of(bool last) => rows.Where(r => r.LastTouch == last).Select(r => new SourceFigures(r.Source, r.Leads, r.Mqls, r.Won, r.WonAmount)).ToList();
        return (Of(false), Of(true));
    }

    /// <summary>The UTC days wholly inside [start, end), as [First, Last); null when there is none.</summary>
    private static (DateOnly First, DateOnly Last)? WholeDays(DateTimeOffset start, DateTimeOffset end)
    {
        var first = DateOnly.FromDateTime(start.UtcDateTime);
        if (start.UtcDateTime.TimeOfDay != TimeSpan.Zero) first = first.AddDays(1);
        var last = DateOnly.FromDateTime(end.UtcDateTime);
        return first < last ? (first, last) : null;
    }

    private static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// Folds the rows writers appended to <c>lead_source_total</c> for the same (day, owner, source, last touch) into one,
    /// in one statement: the rows it deletes are the rows it sums (a concurrent fold skips rows already deleted), and
    /// writers only ever append, so none waits for it. Only days with such piled-up rows are written.
    /// </summary>
    private async Task FoldSourceTotalsAsync(DateOnly first, DateOnly last, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""
            WITH pile AS (
                SELECT day, owner, source, last_touch_source FROM nurture.lead_source_total
                WHERE day >= {first} AND day < {last} GROUP BY 1, 2, 3, 4 HAVING count(*) > 1),
            gone AS (
                DELETE FROM nurture.lead_source_total t USING pile p
                WHERE t.day = p.day AND t.owner IS NOT DISTINCT FROM p.owner AND t.source IS NOT DISTINCT FROM p.source
                  AND t.last_touch_source IS NOT DISTINCT FROM p.last_touch_source
                RETURNING t.*)
            INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
            SELECT day, owner, source, last_touch_source, sum(leads), sum(mqls) FROM gone GROUP BY 1, 2, 3, 4
            HAVING sum(leads) <> 0 OR sum(mqls) <> 0
            """, ct);

    private async Task<Pipeline> DealPipelineAsync(string key, CancellationToken ct)
    {
        var pipeline = await db.Pipelines.AsNoTracking().FirstOrDefaultAsync(p => p.Key == key, ct) ?? throw new NotFoundException($"Pipeline '{key}'");
        if (pipeline.Object != PipelineObject.Deal) throw new ValidationException("pipeline", $"'{key}' is a lead pipeline; forecasts and sales reports are of deal pipelines");
        return pipeline;
    }

    private static double? Rate(int won, int lost) => won + lost == 0 ? null : Math.Round((double)won / (won + lost), 4);
    private static decimal? Round(decimal? v) => v is { } x ? Math.Round(x, 2) : null;

    private sealed record ForecastRow(string? Month, int Count, decimal Amount, decimal WeightedAmount);
    private sealed record OpenRow(int Count, decimal Amount);
    private sealed record MonthRow(string Month, bool Current, int Won, decimal WonAmount);
    private sealed record OwnerRow(string? Owner, int Open, int Won, int Lost, decimal WonAmount, decimal? AverageDealSize);
    private sealed record SourceRow(bool LastTouch, string? Source, int Leads, int Mqls, int Won, decimal WonAmount);
    private sealed record PeriodRow(int Won, int Lost, decimal WonAmount, decimal? AverageDealSize, double? AverageCycleDays);
}
