using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Forms;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// Goal attainment and last-touch attribution, on this data set (period 2026-03-01 to 2026-03-31, 30 days):
/// lead L1 from <c>webinar</c> later fills the <c>ebook-form</c> form (its last touch); lead L2 from <c>ads</c>.
/// Deals won by a@: 3000 (L1) and 1000 (L2). Targets: a@ 4000 a month → 4000 × 30 ÷ 30.4375 = 3942.51 for the
/// period, attainment 4000 ÷ 3942.51 = 1.0146; b@ 2000 a month, no deals → 1971.25, attainment 0.
/// First touch: webinar 1 lead, 1 won, 3000; last touch: ebook-form 1 lead, 1 won, 3000; ads the same both ways.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TargetAndLastTouchTests
{
    [Fact]
    public async Task SalesReport_ShowsAttainmentAgainstMonthlyTargets_AndLastTouchNextToFirstTouch()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-05T09:00:00Z"));
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?>(FormTestKit.NoFillTime) { ["Nurture:Role"] = "web" }, clock);
        await app.QuietDemoSequencesAsync();
        var api = app.Api();
        await api.PutDealPipelineAsync("sales");
        await FormTestKit.PutFormAsync(app, "ebook", FormTestKit.Ebook(doubleOptIn: false));
        var email1 = NurtureApp.UniqueEmail("l1");
        var l1 = await app.LeadAsync(email1, new { source = "webinar" });
        var l2 = await app.LeadAsync(NurtureApp.UniqueEmail("l2"), new { source = "ads" });
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsJsonAsync("/f/ebook", new { email = email1 })).StatusCode);
        Assert.Equal("webinar", (await api.GetJsonAsync($"/api/v1/leads/{l1}"))["source"]!.GetValue<string>());

        foreach (var (lead, amount) in new[] { (l1, 3000), (l2, 1000) })
        {
            var deal = await api.DealAsync(new { name = $"deal {amount}", leadId = lead, pipeline = "sales", stage = "qualified", amount, owner = "a@ourcompany.test" });
            await api.PostJsonAsync($"/api/v1/deals/{deal}/stage", new { stage = "won" });
        }
        await api.SendAsync(HttpMethod.Put, "/api/v1/targets/A@ourcompany.test", new { monthly = 4000 }, HttpStatusCode.OK);
        await api.SendAsync(HttpMethod.Put, "/api/v1/targets/b@ourcompany.test", new { monthly = 2000 }, HttpStatusCode.OK);
        var bad = await api.SendAsync(HttpMethod.Put, "/api/v1/targets/b@ourcompany.test", new { monthly = -5 }, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(bad.Field("monthly"));
        Assert.Equal(2, (await api.GetJsonAsync("/api/v1/targets"))["items"]!.AsArray().Count);

        var report = await api.GetJsonAsync("/api/v1/reports/sales?pipeline=sales&from=2026-03-01T00:00:00Z&to=2026-03-31T00:00:00Z");
        var owners = report["byOwner"]!.AsArray();
        var a = owners.Single(o => o!["owner"]!.GetValue<string>() == "a@ourcompany.test")!;
        Assert.Equal(4000m, a["wonAmount"]!.GetValue<decimal>());
        Assert.Equal(3942.51m, a["target"]!.GetValue<decimal>());
        Assert.Equal(1.0146, a["attainment"]!.GetValue<double>());
        var b = owners.Single(o => o!["owner"]!.GetValue<string>() == "b@ourcompany.test")!;
        Assert.Equal(1971.25m, b["target"]!.GetValue<decimal>());
        Assert.Equal(0, b["attainment"]!.GetValue<double>());

        string Figures(string list, string source) => report[list]!.AsArray().Single(s => s!["source"]?.GetValue<string>() == source) is { } s
            ? $"{s["leads"]} {s["won"]} {s["wonAmount"]!.GetValue<decimal>():0}" : "";
        Assert.Equal("1 1 3000", Figures("bySource", "webinar"));
        Assert.Equal("1 1 1000", Figures("bySource", "ads"));
        Assert.DoesNotContain(report["bySource"]!.AsArray(), s => s!["source"]?.GetValue<string>() == "ebook-form");
        Assert.Equal("1 1 3000", Figures("bySourceLastTouch", "ebook-form"));
        Assert.Equal("1 1 1000", Figures("bySourceLastTouch", "ads"));
        Assert.DoesNotContain(report["bySourceLastTouch"]!.AsArray(), s => s!["source"]?.GetValue<string>() == "webinar");

        using var admin = await AdminClient.SignInAsync(app);
        await admin.PostFormAsync("/reports/sales", "/reports/sales?handler=Target", new() { ["targetOwner"] = "c@ourcompany.test", ["monthly"] = "500" });
        Assert.Contains((await api.GetJsonAsync("/api/v1/targets"))["items"]!.AsArray(), t => t!["owner"]!.GetValue<string>() == "c@ourcompany.test");
        var page = await admin.Http.GetStringAsync("/reports/sales?pipeline=sales&from=2026-03-01&to=2026-03-30");
        Assert.Contains("id=\"source-last-table\"", page);
        Assert.Contains("101.5 %", page);
    }
}
