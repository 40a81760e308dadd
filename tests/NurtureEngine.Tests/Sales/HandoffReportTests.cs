using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Sales;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// Hand-off figures of the sales report, on this data set (team rep1, rep2, rep3, round robin, accept within 4 h):
/// lead A to rep1, accepted after 2 h; lead B to rep2, rejected; lead C to rep3, breached at 4 h and handed to rep1
/// (waiting). So 4 turns: 1 accepted, 1 rejected, 1 breached, 1 waiting; acceptance 1 ÷ 3; 2 h to accept;
/// rep1: 2 turns, 1 accepted, 1 waiting, acceptance 100 %. The rep's answers on the lead page come from the page.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class HandoffReportTests
{
    private static readonly string[] Team = ["rep1@nurture.test", "rep2@nurture.test", "rep3@nurture.test"];

    [Fact]
    public async Task SalesReport_CountsAcceptanceRate_TimeToAccept_AndSlaBreaches_FromAnswersOnTheLeadPage()
    {
        var t0 = DateTimeOffset.Parse("2026-03-02T09:00:00Z");
        var clock = new FakeTimeProvider(t0);
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        var api = app.Api();
        await api.PutDealPipelineAsync("sales");
        await api.SendAsync(HttpMethod.Put, "/api/v1/pipelines/default", new
        {
            name = "Sales pipeline",
            stages = new object[]
            {
                new { key = "lead", name = "Lead", probability = 10, kind = "open" },
                new { key = "nurture", name = "Nurture", probability = 10, kind = "open" },
                new { key = "sql", name = "Sales qualified", probability = 40, kind = "open", handoff = new { assign = "round_robin", team = Team, acceptWithin = "PT4H" } },
                new { key = "customer", name = "Customer", probability = 100, kind = "won" },
            },
        }, HttpStatusCode.OK);
        var leads = new List<string>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var id = await app.LeadAsync(NurtureApp.UniqueEmail(name));
            await api.PostJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "sql" });
            leads.Add(id);
        }
        clock.Advance(TimeSpan.FromHours(2));
        await AdminClient.CreateUserAsync(app, Team[0], "Rep-password-12", "SalesRep");
        await AdminClient.CreateUserAsync(app, Team[1], "Rep-password-12", "SalesRep");
        using (var rep1 = await AdminClient.SignInAsync(app, Team[0], "Rep-password-12"))
        {
            // Not theirs: a SalesRep cannot answer another rep's hand-off.
            await rep1.PostFormAsync($"/leads/{leads[0]}", $"/leads/{leads[1]}?handler=Accept", []);
            await rep1.PostFormAsync($"/leads/{leads[0]}", $"/leads/{leads[0]}?handler=Accept", []);
        }
        using (var rep2 = await AdminClient.SignInAsync(app, Team[1], "Rep-password-12"))
        {
            var page = await rep2.Http.GetStringAsync($"/leads/{leads[1]}");
            Assert.Contains("id=\"handoff-reject\"", page);
            await rep2.PostFormAsync($"/leads/{leads[1]}", $"/leads/{leads[1]}?handler=Reject", new() { ["reason"] = "Not a buyer", ["recycleTo"] = "nurture" });
        }
        Assert.Equal("nurture", (await api.GetJsonAsync($"/api/v1/leads/{leads[1]}"))["stage"]!.GetValue<string>());
        clock.Advance(TimeSpan.FromHours(2));
        using (var scope = app.Services.CreateScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<HandoffSlaJob>().RunAsync(CancellationToken.None));

        var report = await api.GetJsonAsync($"/api/v1/reports/sales?from={t0.AddDays(-1):O}&to={t0.AddDays(1):O}".Replace("+", "%2B"));
        var h = report["handoffs"]!;
        Assert.Equal(4, h["assigned"]!.GetValue<int>());
        Assert.Equal(1, h["accepted"]!.GetValue<int>());
        Assert.Equal(1, h["rejected"]!.GetValue<int>());
        Assert.Equal(1, h["slaBreaches"]!.GetValue<int>());
        Assert.Equal(1, h["pending"]!.GetValue<int>());
        Assert.Equal(0.3333, h["acceptanceRate"]!.GetValue<double>());
        Assert.Equal(2.0, h["averageHoursToAccept"]!.GetValue<double>());
        var rep1Row = h["byOwner"]!.AsArray().Single(o => o!["owner"]!.GetValue<string>() == Team[0])!;
        Assert.Equal(2, rep1Row["assigned"]!.GetValue<int>());
        Assert.Equal(1.0, rep1Row["acceptanceRate"]!.GetValue<double>());

        using var admin = await AdminClient.SignInAsync(app);
        var reportPage = await admin.Http.GetStringAsync($"/reports/sales?from={t0.AddDays(-1):yyyy-MM-dd}&to={t0.AddDays(1):yyyy-MM-dd}");
        Assert.Contains("id=\"kpi-acceptance\">33.3 %<", reportPage);
        Assert.Contains("id=\"kpi-breaches\">1<", reportPage);
    }
}
