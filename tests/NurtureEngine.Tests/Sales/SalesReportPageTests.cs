using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// The sales report page gives every charted figure as a table and as CSV. Data set (pipeline "sales": qualified 20 %,
/// proposal 60 %, won, lost; everything today): lead A (source webinar) has an open deal of 1000 in proposal closing
/// 2027-01-15 (weighted 600) and a won deal of 2000; lead B (source ads) a lost deal of 500 whose reason is a spreadsheet
/// formula. Win rate 1 ÷ 2 = 50 %; a year earlier nothing closed.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SalesReportPageTests
{
    private const string Formula = "=HYPERLINK(\"http://evil.example\")";

    [Fact]
    public async Task ForecastLostReasonsAndTheYearEarlier_AreTables_AndTheCsvHasEveryFigure_FormulaSafe()
    {
        await using var app = await NurtureApp.StartAsync();
        await app.QuietDemoSequencesAsync();
        var api = app.Api();
        await api.PutDealPipelineAsync("sales");
        var a = await app.LeadAsync(NurtureApp.UniqueEmail("a"), new { source = "webinar" });
        var b = await app.LeadAsync(NurtureApp.UniqueEmail("b"), new { source = "ads" });
        await api.DealAsync(new { name = "open", leadId = a, pipeline = "sales", stage = "proposal", amount = 1000, closeDate = "2027-01-15" });
        var won = await api.DealAsync(new { name = "won", leadId = a, pipeline = "sales", stage = "proposal", amount = 2000 });
        await api.PostJsonAsync($"/api/v1/deals/{won}/stage", new { stage = "won" });
        var lost = await api.DealAsync(new { name = "lost", leadId = b, pipeline = "sales", stage = "qualified", amount = 500 });
        await api.PostJsonAsync($"/api/v1/deals/{lost}/stage", new { stage = "lost", lostReason = Formula });

        using var admin = await AdminClient.SignInAsync(app);
        var page = await admin.Http.GetStringAsync("/reports/sales?pipeline=sales");
        Assert.Contains("""<tr data-month="2027-01"><td>2027-01</td><td>1</td><td>1,000</td><td>600</td></tr>""", page);
        Assert.Contains("<td>=HYPERLINK(&quot;http://evil.example&quot;)</td><td>1</td>", page); // shown as text, escaped
        Assert.Contains("""<tr data-figure="winRate"><td>Win rate</td><td>50 %</td>""", page);

        var csv = (await admin.Http.GetStringAsync("/reports/sales?handler=csv&pipeline=sales")).Split('\n');
        Assert.Equal("section,key,count,amount,weightedAmount,rate,leads,mqls", csv[0]);
        Assert.Contains("kpi,\"winRate\",,,,0.5,,", csv);
        Assert.Contains("previousYear,\"won\",0,0,,,,", csv);
        Assert.Contains("forecast,\"2027-01\",1,1000,600,,,", csv);
        Assert.Contains("lostReason,\"'=HYPERLINK(\"\"http://evil.example\"\")\",1,,,,,", csv); // a leading apostrophe: never a formula
        Assert.Contains("source,\"webinar\",1,2000,,,1,0", csv);
        Assert.Contains("source,\"ads\",0,0,,,1,0", csv);
    }

    [Fact]
    public async Task ARep_SeesTheirOwnFiguresByDefault_AndEveryonesWhenTheyChoose_WhileAManagerSeesEveryones()
    {
        await using var app = await NurtureApp.StartAsync();
        await app.QuietDemoSequencesAsync();
        var api = app.Api();
        await api.PutDealPipelineAsync("sales");
        var (rep, other) = (NurtureApp.UniqueEmail("rep"), NurtureApp.UniqueEmail("other"));
        foreach (var user in new[] { rep, other }) await AdminClient.CreateUserAsync(app, user, "Rep-password-12", "SalesRep");
        var lead = await app.LeadAsync(NurtureApp.UniqueEmail("buyer"));
        foreach (var (owner, amount) in new[] { (rep, 2000), (other, 5000) })
        {
            var deal = await api.DealAsync(new { name = $"deal of {owner}", leadId = lead, pipeline = "sales", stage = "proposal", amount, owner });
            await api.PostJsonAsync($"/api/v1/deals/{deal}/stage", new { stage = "won" });
        }

        using var signedIn = await AdminClient.SignInAsync(app, rep, "Rep-password-12");
        var mine = await signedIn.Http.GetStringAsync("/reports/sales?pipeline=sales");
        Assert.Contains($"Figures of {rep} only.", mine);
        Assert.Contains("""<tr data-figure="wonAmount"><td>Won amount</td><td>2,000</td>""", mine);
        Assert.Contains($"""<option value="{rep}" selected="selected">""", mine);
        var everyone = await signedIn.Http.GetStringAsync("/reports/sales?pipeline=sales&owner=all");
        Assert.Contains("""<tr data-figure="wonAmount"><td>Won amount</td><td>7,000</td>""", everyone);
        Assert.DoesNotContain("Figures of", everyone);

        using var admin = await AdminClient.SignInAsync(app);
        Assert.Contains("""<tr data-figure="wonAmount"><td>Won amount</td><td>7,000</td>""", await admin.Http.GetStringAsync("/reports/sales?pipeline=sales"));
    }
}
