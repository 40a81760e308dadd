using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// The forecast and the sales report against figures worked out by hand on this data set, pipeline
/// "sales" (qualified 20 %, proposal 60 %, won, lost), everything made at T0 = 2026-03-01:
/// <code>
/// deal  lead(source)  owner  amount  close date   what happens
/// D1    L1 webinar    a      1000    2026-04-15   stays in qualified  (weighted 200)
/// D2    L2 ads        a      3000    2026-04-20   stays in proposal   (weighted 1800)
/// D3    L1 webinar    a      5000    2026-05-10   stays in proposal   (weighted 3000)
/// D4    L3 webinar    a      2000                 won at T0+10 d
/// D5    L2 ads        b      4000                 won at T0+20 d
/// D6    L1 webinar    a      1500                 lost at T0+5 d, "price"
/// D7    L3 webinar    b       800                 lost at T0+5 d, "price"
/// D8    L2 ads        b       600                 lost at T0+5 d, "timing"
/// </code>
/// L1 also reached the lead pipeline's mql stage. Period T0-1 d to T0+60 d:
/// win rate 2/5 = 0.4; average deal size (2000+4000)/2 = 3000; cycle (10+20)/2 = 15 days;
/// velocity 3 open × 0.4 × 3000 ÷ 15 = 240 a day; forecast 2026-04: 2 deals, 4000, weighted 2000;
/// 2026-05: 1 deal, 5000, weighted 3000 (total 9000, weighted 5000).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SalesReportTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-03-01T00:00:00Z");

    [Fact]
    public async Task ForecastAndSalesReport_EqualTheHandComputedFigures()
    {
        var clock = new FakeTimeProvider(T0);
        await using var app = await NurtureApp.StartAsync(clock: clock);
        var api = app.Api();
        await app.QuietDemoSequencesAsync();
        await api.PutDealPipelineAsync("sales");
        var l1 = await app.LeadAsync(NurtureApp.UniqueEmail("l1"), new { source = "webinar" });
        var l2 = await app.LeadAsync(NurtureApp.UniqueEmail("l2"), new { source = "ads" });
        var l3 = await app.LeadAsync(NurtureApp.UniqueEmail("l3"), new { source = "webinar" });
        (await api.PostAsJsonAsync($"/api/v1/leads/{l1}/stage", new { stage = "mql" })).EnsureSuccessStatusCode();
        async Task<string> Deal(string lead, string owner, int amount, string stage, string? closeDate = null) =>
            await api.DealAsync(new { name = $"{owner}-{amount}", leadId = lead, pipeline = "sales", stage, amount, owner = $"{owner}@ourcompany.test", closeDate });
        await Deal(l1, "a", 1000, "qualified", "2026-04-15");
        await Deal(l2, "a", 3000, "proposal", "2026-04-20");
        await Deal(l1, "a", 5000, "proposal", "2026-05-10");
        var d4 = await Deal(l3, "a", 2000, "proposal");
        var d5 = await Deal(l2, "b", 4000, "proposal");
        var d6 = await Deal(l1, "a", 1500, "qualified");
        var d7 = await Deal(l3, "b", 800, "qualified");
        var d8 = await Deal(l2, "b", 600, "qualified");
        clock.Advance(TimeSpan.FromDays(5));
        await api.PostJsonAsync($"/api/v1/deals/{d6}/stage", new { stage = "lost", lostReason = "price" });
        await api.PostJsonAsync($"/api/v1/deals/{d7}/stage", new { stage = "lost", lostReason = "price" });
        await api.PostJsonAsync($"/api/v1/deals/{d8}/stage", new { stage = "lost", lostReason = "timing" });
        clock.Advance(TimeSpan.FromDays(5));
        await api.PostJsonAsync($"/api/v1/deals/{d4}/stage", new { stage = "won" });
        clock.Advance(TimeSpan.FromDays(10));
        await api.PostJsonAsync($"/api/v1/deals/{d5}/stage", new { stage = "won" });

        var forecast = await api.GetJsonAsync("/api/v1/pipelines/sales/forecast");
        var months = forecast["months"]!.AsArray();
        Assert.Equal(2, months.Count);
        Assert.Equal(("2026-04", 2, 4000m, 2000m), Month(months[0]!));
        Assert.Equal(("2026-05", 1, 5000m, 3000m), Month(months[1]!));
        Assert.Equal(9000m, forecast["total"]!["amount"]!.GetValue<decimal>());
        Assert.Equal(5000m, forecast["total"]!["weightedAmount"]!.GetValue<decimal>());
        var april = (await api.GetJsonAsync("/api/v1/pipelines/sales/forecast?from=2026-04-01&to=2026-04-30"))["months"]!.AsArray();
        Assert.Equal("2026-04", Assert.Single(april)!["month"]!.GetValue<string>());
        await api.SendAsync(HttpMethod.Get, "/api/v1/pipelines/nope/forecast", null, HttpStatusCode.NotFound);

        var period = $"from={Uri.EscapeDataString(T0.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(T0.AddDays(60).ToString("O"))}";
        var report = await api.GetJsonAsync($"/api/v1/reports/sales?pipeline=sales&{period}");
        Assert.Equal(0.4, report["winRate"]!.GetValue<double>());
        Assert.Equal(3000m, report["averageDealSize"]!.GetValue<decimal>());
        Assert.Equal(15.0, report["averageCycleDays"]!.GetValue<double>());
        Assert.Equal(240m, report["velocityPerDay"]!.GetValue<decimal>());
        Assert.Equal(3, report["openDeals"]!.GetValue<int>());
        var reasons = report["lostReasons"]!.AsArray().Select(r => (r!["reason"]!.GetValue<string>(), r["count"]!.GetValue<int>())).ToList();
        Assert.Equal([("price", 2), ("timing", 1)], reasons);

        var owners = report["byOwner"]!.AsArray().ToDictionary(o => o!["owner"]!.GetValue<string>(), o => o!);
        Assert.Equal((3, 1, 1, 2000m, 0.5), Owner(owners["a@ourcompany.test"]));
        Assert.Equal((0, 1, 2, 4000m, 0.3333), Owner(owners["b@ourcompany.test"]));

        var sources = report["bySource"]!.AsArray().ToDictionary(s => s!["source"]!.GetValue<string>(), s => s!);
        Assert.Equal((2, 1, 1, 2000m), Source(sources["webinar"]));
        Assert.Equal((1, 0, 1, 4000m), Source(sources["ads"]));

        Assert.Equal(0, report["previousYear"]!["won"]!.GetValue<int>());
        Assert.Null(report["previousYear"]!["winRate"]);

        var onlyB = await api.GetJsonAsync($"/api/v1/reports/sales?pipeline=sales&{period}&owner=b@ourcompany.test");
        Assert.Equal(0.3333, onlyB["winRate"]!.GetValue<double>());
        Assert.Equal(0m, onlyB["velocityPerDay"]!.GetValue<decimal>()); // b has no open deals
    }

    private static (string, int, decimal, decimal) Month(JsonNode m) =>
        (m["month"]!.GetValue<string>(), m["count"]!.GetValue<int>(), m["amount"]!.GetValue<decimal>(), m["weightedAmount"]!.GetValue<decimal>());

    private static (int, int, int, decimal, double) Owner(JsonNode o) =>
        (o["open"]!.GetValue<int>(), o["won"]!.GetValue<int>(), o["lost"]!.GetValue<int>(), o["wonAmount"]!.GetValue<decimal>(), o["winRate"]!.GetValue<double>());

    private static (int, int, int, decimal) Source(JsonNode s) =>
        (s["leads"]!.GetValue<int>(), s["mqls"]!.GetValue<int>(), s["won"]!.GetValue<int>(), s["wonAmount"]!.GetValue<decimal>());
}
