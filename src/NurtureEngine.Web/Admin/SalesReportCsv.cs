using System.Globalization;
using System.Text;
using NurtureEngine.Imports;
using NurtureEngine.Sales;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// The sales report's numbers as one CSV a manager opens in a spreadsheet: a row per figure, tagged by section
/// (kpi, previousYear, wonMonth, wonMonthYearEarlier, forecast, lostReason, owner, target, source, sourceLastTouch, handoff, handoffOwner).
/// Every text cell is formula-safe (<see cref="CsvSafe"/>) and quoted.
/// </summary>
public static class SalesReportCsv
{
    public const string Header = "section,key,count,amount,weightedAmount,rate,leads,mqls";

    public static string Write(SalesReport r, Forecast? forecast)
    {
        var csv = new StringBuilder(Header).Append('\n');
        void Row(string section, string? key, int? count = null, decimal? amount = null, decimal? weighted = null, double? rate = null,
            int? leads = null, int? mqls = null) =>
            csv.Append(CultureInfo.InvariantCulture, $"{section},{Cell(key)},{count},{Number(amount)},{Number(weighted)},{rate},{leads},{mqls}\n");

        Row("kpi", "winRate", rate: r.WinRate);
        Row("kpi", "averageDealSize", amount: r.AverageDealSize);
        Row("kpi", "averageCycleDays", rate: r.AverageCycleDays);
        Row("kpi", "velocityPerDay", amount: r.VelocityPerDay);
        Row("kpi", "won", r.Won, r.WonAmount);
        Row("kpi", "lost", r.Lost);
        Row("kpi", "open", r.OpenDeals, r.OpenAmount);
        var y = r.PreviousYear;
        Row("previousYear", "winRate", rate: y.WinRate);
        Row("previousYear", "averageDealSize", amount: y.AverageDealSize);
        Row("previousYear", "averageCycleDays", rate: y.AverageCycleDays);
        Row("previousYear", "won", y.Won, y.WonAmount);
        Row("previousYear", "lost", y.Lost);
        foreach (var m in r.WonByMonth) Row("wonMonth", m.Month, m.Won, m.WonAmount);
        foreach (var m in r.WonByMonth) Row("wonMonthYearEarlier", m.MonthYearEarlier, m.WonYearEarlier, m.WonAmountYearEarlier);
        foreach (var m in forecast?.Months ?? []) Row("forecast", m.Month ?? "no close date", m.Count, m.Amount, m.WeightedAmount);
        foreach (var l in r.LostReasons) Row("lostReason", l.Reason, l.Count);
        foreach (var o in r.ByOwner) Row("owner", o.Owner ?? "no owner", o.Won, o.WonAmount, rate: o.WinRate);
        foreach (var o in r.ByOwner.Where(o => o.Target is not null)) Row("target", o.Owner, amount: o.Target, rate: o.Attainment);
        foreach (var s in r.BySource) Row("source", s.Source ?? "no source", s.Won, s.WonAmount, leads: s.Leads, mqls: s.Mqls);
        foreach (var s in r.BySourceLastTouch) Row("sourceLastTouch", s.Source ?? "no source", s.Won, s.WonAmount, leads: s.Leads, mqls: s.Mqls);
        Row("handoff", "acceptanceRate", r.Handoffs.Accepted, rate: r.Handoffs.AcceptanceRate);
        Row("handoff", "averageHoursToAccept", rate: r.Handoffs.AverageHoursToAccept);
        Row("handoff", "slaBreaches", r.Handoffs.SlaBreaches);
        foreach (var h in r.Handoffs.ByOwner) Row("handoffOwner", h.Owner, h.Accepted, rate: h.AcceptanceRate);
        return csv.ToString();
    }

    /// <summary>Amounts as a spreadsheet reads them: 2000, 1234.5 (not 2000.00).</summary>
    private static string Number(decimal? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "";

    private static string Cell(string? value) => "\"" + CsvSafe.Cell(value).Replace("\"", "\"\"") + "\"";
}
