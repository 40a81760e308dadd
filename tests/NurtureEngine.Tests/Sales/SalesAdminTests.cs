using System.Net;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// Issue 18, "companies and deals ... in the admin too": a rep makes a company, makes a deal from the lead page and edits
/// it on the deal page, with no API key, and each step is where the API shows it (the lead's deals, the company's deals
/// and timeline, the lead's timeline with cause <c>admin</c>).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SalesAdminTests : IAsyncLifetime
{
    private const string Rep = "rep@ourcompany.test", RepPassword = "Rep-password-12";
    private NurtureApp _app = null!;
    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ARep_MakesACompany_ADealFromTheLeadPage_AndEditsItOnTheDealPage()
    {
        var api = _app.Api();
        await api.PutDealPipelineAsync("sales");
        var lead = await _app.LeadAsync("ada@analytical.example");
        await AdminClient.CreateUserAsync(_app, Rep, RepPassword, "SalesRep");
        using var rep = await AdminClient.SignInAsync(_app, Rep, RepPassword);

        var freeMail = await rep.PostFormAsync("/companies", "/companies", new() { ["name"] = "Google", ["domain"] = "gmail.com" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, freeMail.StatusCode);
        Assert.Contains("free-mail", await freeMail.Content.ReadAsStringAsync());
        var made = await rep.PostFormAsync("/companies", "/companies", new() { ["name"] = "Analytical Engines", ["domain"] = "www.analytical.example" });
        Assert.Equal(HttpStatusCode.Redirect, made.StatusCode);
        var companyPage = made.Headers.Location!.OriginalString;
        var companyId = companyPage["/companies/".Length..];
        Assert.Equal(companyId, (await api.GetJsonAsync($"/api/v1/leads/{lead}"))["company"]!["id"]!.GetValue<string>());

        var created = await rep.PostFormAsync($"/leads/{lead}", $"/leads/{lead}?handler=Deal", new()
        {
            ["dealName"] = "Engine order", ["dealStage"] = "sales/proposal", ["amount"] = "5000", ["currency"] = "eur", ["closeDate"] = "2027-01-31", ["dealOwner"] = Rep,
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var deal = Assert.Single((await api.GetJsonAsync($"/api/v1/deals?leadId={lead}"))["items"]!.AsArray())!;
        Assert.Equal(("Engine order", "proposal", 5000m, "EUR", "2027-01-31", Rep, companyId),
            (deal["name"]!.GetValue<string>(), deal["stage"]!.GetValue<string>(), deal["amount"]!.GetValue<decimal>(), deal["currency"]!.GetValue<string>(),
             deal["closeDate"]!.GetValue<string>(), deal["owner"]!.GetValue<string>(), deal["companyId"]!.GetValue<string>()));
        var dealId = deal["id"]!.GetValue<string>();
        Assert.Contains($"href=\"/deals/{dealId}\"", await rep.Http.GetStringAsync($"/leads/{lead}"));
        var company = await rep.Http.GetStringAsync(companyPage);
        Assert.Contains($"href=\"/deals/{dealId}\"", company);
        Assert.Contains("deal_created", company);

        var refused = await rep.PostFormAsync($"/deals/{dealId}", $"/deals/{dealId}?handler=Edit", new() { ["currency"] = "euro" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("currency", await refused.Content.ReadAsStringAsync());
        var edited = await rep.PostFormAsync($"/deals/{dealId}", $"/deals/{dealId}?handler=Edit", new() { ["amount"] = "7500", ["closeDate"] = "2027-02-28" });
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        var after = await api.GetJsonAsync($"/api/v1/deals/{dealId}");
        Assert.Equal((7500m, "2027-02-28", "Engine order", "EUR"),
            (after["amount"]!.GetValue<decimal>(), after["closeDate"]!.GetValue<string>(), after["name"]!.GetValue<string>(), after["currency"]!.GetValue<string>()));

        var timeline = await _app.TimelineAsync(lead);
        var madeRow = timeline.First(e => e!["kind"]!.GetValue<string>() == "deal_created")!["data"]!;
        Assert.Equal(("proposal", "admin"), (madeRow["stage"]!.GetValue<string>(), madeRow["cause"]!.GetValue<string>()));
        var editRow = timeline.First(e => e!["kind"]!.GetValue<string>() == "deal_updated")!["data"]!;
        Assert.Equal(["amount", "closeDate"], editRow["fields"]!.AsArray().Select(f => f!.GetValue<string>()).Order().ToList());
    }
}
