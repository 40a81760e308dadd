using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// "This period vs the same period a year earlier", on a fake clock. Pipeline "sales". March 2025: deal P1 (1000) made on
/// the 5th and won on the 7th (a 2-day cycle), P2 (400) lost on the 7th ("price"). March 2026: deal C1 (3000) made on the 5th
/// and won on the 9th (4 days). Report 2026-03-01 to 2026-04-01: won 1, 3000, win rate 100 %, cycle 4 days; a year earlier
/// (2025-03-01 to 2025-04-01): won 1, lost 1, 1000, win rate 50 %, cycle 2 days.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PreviousYearTests
{
    [Fact]
    public async Task TheSalesReport_SetsThePeriodBesideTheSameDatesAYearEarlier_InTheApiAndOnThePage()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2025-03-05T10:00:00Z"));
        await using var app = await NurtureApp.StartAsync(clock: clock);
        await app.QuietDemoSequencesAsync();
        var api = app.Api();
        await api.PutDealPipelineAsync("sales");
        var lead = await app.LeadAsync(NurtureApp.UniqueEmail("buyer"));
        var p1 = await api.DealAsync(new { name = "P1", leadId = lead, pipeline = "sales", amount = 1000 });
        var p2 = await api.DealAsync(new { name = "P2", leadId = lead, pipeline = "sales", amount = 400 });
        clock.Advance(TimeSpan.FromDays(2));
        await api.PostJsonAsync($"/api/v1/deals/{p1}/stage", new { stage = "won" });
        await api.PostJsonAsync($"/api/v1/deals/{p2}/stage", new { stage = "lost", lostReason = "price" });
        clock.SetUtcNow(DateTimeOffset.Parse("2026-03-05T10:00:00Z"));
        var c1 = await api.DealAsync(new { name = "C1", leadId = lead, pipeline = "sales", amount = 3000 });
        clock.Advance(TimeSpan.FromDays(4));
        await api.PostJsonAsync($"/api/v1/deals/{c1}/stage", new { stage = "won" });

        var report = await api.GetJsonAsync("/api/v1/reports/sales?pipeline=sales&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z");
        Assert.Equal((1, 0, 3000m, 1.0, 4.0), (report["won"]!.GetValue<int>(), report["lost"]!.GetValue<int>(), report["wonAmount"]!.GetValue<decimal>(),
            report["winRate"]!.GetValue<double>(), report["averageCycleDays"]!.GetValue<double>()));
        var y = report["previousYear"]!;
        Assert.Equal((1, 1, 1000m, 0.5, 2.0), (y["won"]!.GetValue<int>(), y["lost"]!.GetValue<int>(), y["wonAmount"]!.GetValue<decimal>(),
            y["winRate"]!.GetValue<double>(), y["averageCycleDays"]!.GetValue<double>()));
        Assert.Equal(DateTimeOffset.Parse("2025-03-01T00:00:00Z"), y["from"]!.GetValue<DateTimeOffset>());
        // Month by month, beside the same month a year earlier: the period ends at April's first instant, so March only.
        var month = Assert.Single(report["wonByMonth"]!.AsArray())!;
        Assert.Equal(("2026-03", 1, 3000m, 1, 1000m), (month["month"]!.GetValue<string>(), month["won"]!.GetValue<int>(), month["wonAmount"]!.GetValue<decimal>(),
            month["wonYearEarlier"]!.GetValue<int>(), month["wonAmountYearEarlier"]!.GetValue<decimal>()));

        using var admin = await AdminClient.SignInAsync(app);
        var page = await admin.Http.GetStringAsync("/reports/sales?pipeline=sales&from=2026-03-01&to=2026-03-31");
        Assert.Contains("""<tr data-figure="winRate"><td>Win rate</td><td>100 %</td><td>50 %</td></tr>""", page);
        Assert.Contains("""<tr data-figure="wonAmount"><td>Won amount</td><td>3,000</td><td>1,000</td></tr>""", page);
        Assert.Contains("""<tr data-month="2026-03"><td>2026-03</td><td>1</td><td>3,000</td><td>1</td><td>1,000</td></tr>""", page);
        Assert.Contains("""<g class="line" data-series="This period">""", page);
        Assert.Contains("<title>A year earlier, 2026-03: 1,000</title>", page); // each point tells its value
        var csv = await admin.Http.GetStringAsync("/reports/sales?handler=csv&pipeline=sales&from=2026-03-01&to=2026-03-31");
        Assert.Contains("wonMonth,\"2026-03\",1,3000,,,,\n", csv);
        Assert.Contains("wonMonthYearEarlier,\"2025-03\",1,1000,,,,\n", csv);
    }
}
