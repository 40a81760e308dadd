using System.Net;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>API.md "Companies and deals": companies upserted by domain, leads linked by their email's domain.</summary>
[Collection(AppCollection.Name)]
public sealed class CompanyTests : IAsyncLifetime
{
    private NurtureApp _app = null!;
    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Upsert_ByDomain_LinksLeadsAtThatDomain_BeforeAndAfter_NeverFreeMail()
    {
        var api = _app.Api();
        var early = await _app.LeadAsync("ada@analytical.example", new { company = "AE Ltd" });
        var gmail = await _app.LeadAsync("ada.private@gmail.com", new { company = "AE Ltd" });

        var created = await api.PostJsonAsync("/api/v1/companies", new { name = "Analytical Engines", domain = "https://www.Analytical.example/about" }, HttpStatusCode.Created);
        Assert.Equal("analytical.example", created["domain"]!.GetValue<string>());
        var id = created["id"]!.GetValue<string>();
        var again = await api.PostJsonAsync("/api/v1/companies", new { name = "Analytical Engines plc", domain = "analytical.example", attributes = new { industry = "manufacturing" } });
        Assert.Equal(id, again["id"]!.GetValue<string>());
        Assert.Equal("Analytical Engines plc", again["name"]!.GetValue<string>());

        var late = await _app.LeadAsync("Charles@ANALYTICAL.example");
        foreach (var leadId in new[] { early, late })
        {
            var company = (await api.GetJsonAsync($"/api/v1/leads/{leadId}"))["company"]!.AsObject();
            Assert.Equal(id, company["id"]!.GetValue<string>());
            Assert.Equal("Analytical Engines plc", company["name"]!.GetValue<string>());
            Assert.Equal("analytical.example", company["domain"]!.GetValue<string>());
        }
        // The free-mail lead keeps the name it gave, as text; the lead list shows the link too.
        Assert.Equal("AE Ltd", (await api.GetJsonAsync($"/api/v1/leads/{gmail}"))["company"]!.GetValue<string>());
        var listed = (await api.GetJsonAsync("/api/v1/leads?q=analytical"))["items"]!.AsArray();
        Assert.All(listed, l => Assert.Equal(id, l!["company"]!["id"]!.GetValue<string>()));

        var refused = await api.PostJsonAsync("/api/v1/companies", new { name = "Google", domain = "gmail.com" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("free-mail", refused.Field("domain"));
        var noDomain = await api.PostJsonAsync("/api/v1/companies", new { name = "X" }, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(noDomain.Field("domain"));

        var details = await api.GetJsonAsync($"/api/v1/companies/{id}");
        Assert.Equal(2, details["leads"]!.AsArray().Count);
        Assert.Equal("manufacturing", details["attributes"]!["industry"]!.GetValue<string>());
        Assert.Contains(details["timeline"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "created");
        await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{Guid.NewGuid()}", null, HttpStatusCode.NotFound);
    }
}

/// <summary>The demo workspace of a fresh install shows a B2B and a B2C deal pipeline with companies and deals.</summary>
[Collection(AppCollection.Name)]
public sealed class SalesDemoTests
{
    [Fact]
    public async Task TheDemo_HasB2BAndB2CDealPipelines_WithCompaniesAndDeals()
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:SeedDemoSales"] = "true" });
        var api = app.Api();
        var pipelines = (await api.GetJsonAsync("/api/v1/pipelines"))["items"]!.AsArray();
        Assert.Equal(["b2b", "b2c"], pipelines.Where(p => p!["object"]!.GetValue<string>() == "deal").Select(p => p!["key"]!.GetValue<string>()).Order().ToList());
        Assert.Equal(5, (await api.GetJsonAsync("/api/v1/deals?pipeline=b2b"))["items"]!.AsArray().Count);
        Assert.Equal(3, (await api.GetJsonAsync("/api/v1/deals?pipeline=b2c"))["items"]!.AsArray().Count);
        var companies = (await api.GetJsonAsync("/api/v1/companies"))["items"]!.AsArray();
        Assert.Equal(3, companies.Count);
        var analytical = companies.Single(c => c!["domain"]!.GetValue<string>() == "analytical-engines.example")!;
        Assert.Equal(2, analytical["leadCount"]!.GetValue<int>());
        var details = await api.GetJsonAsync($"/api/v1/companies/{analytical["id"]!.GetValue<string>()}");
        Assert.Equal(2, details["deals"]!.AsArray().Count);
        // B2C buyers at gmail.com belong to no company.
        var sam = (await api.GetJsonAsync("/api/v1/leads?email=sam@gmail.com"))["items"]![0]!;
        Assert.Null(sam["company"]);
    }
}
