using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>GDPR: export returns everything held; erasure removes it everywhere and the address is never mailed again.</summary>
[Collection(AppCollection.Name)]
public sealed class PrivacyTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ExportHoldsEverything_ErasureRemovesIt_AndTheAddressStaysSuppressed()
    {
        var email = NurtureApp.UniqueEmail("gdpr");
        var id = (await _app.CreateLeadAsync(new { email, firstName = "Greta", company = "Private Ltd" }))["id"]!.GetValue<string>();
        await _app.WaitForKindAsync(id, "email_sent");

        var export = (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}/export"))!;
        Assert.Equal("Greta", export["lead"]!["firstName"]!.GetValue<string>());
        Assert.Contains(export["timeline"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "email_sent");
        Assert.Contains("Greta", export["emails"]!.AsArray().Single()!["html"]!.GetValue<string>());

        var erased = await _app.Api().DeleteAsync($"/api/v1/leads/{id}");

        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Api().GetAsync($"/api/v1/leads/{id}")).StatusCode);
        Assert.Equal(0, _app.Db(db => db.Activities.Count(a => a.LeadId == Guid.Parse(id))));
        Assert.Equal(0, _app.Db(db => db.Messages.Count(m => m.LeadId == Guid.Parse(id))));
        Assert.False(_app.Db(db => db.Suppressions.Any(s => s.AddressHash.Contains("gdpr"))), "only a hash is kept");

        // The same address signs up again: the lead exists anew, but no marketing email goes out.
        var again = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        var kinds = await _app.WaitForKindAsync(again, "email_suppressed");
        Assert.DoesNotContain("email_sent", kinds);
        Assert.Single(MailSink.For(email));
    }

    [Fact]
    public async Task ConsentGivenOnSubscribe_IsRecordedWithSourceTimeIpAndText_AndIsInTheExport()
    {
        var email = NurtureApp.UniqueEmail("consent");
        const string text = "Yes, send me the NurtureEngine newsletter. I can unsubscribe at any time.";
        var at = DateTimeOffset.Parse("2026-11-20T09:30:00Z");
        var id = (await _app.CreateLeadAsync(new { email, consent = new { source = "pricing page form", text, ip = "203.0.113.7", at } }))["id"]!.GetValue<string>();

        var export = (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}/export"))!;
        var consent = export["timeline"]!.AsArray().Single(e => e!["kind"]!.GetValue<string>() == "consent_given")!;
        Assert.Equal("pricing page form", consent["data"]!["source"]!.GetValue<string>());
        Assert.Equal(text, consent["data"]!["text"]!.GetValue<string>());
        Assert.Equal("203.0.113.7", consent["data"]!["ip"]!.GetValue<string>());
        Assert.Equal(at, consent["at"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task ConsentWithoutItsTextOrWithABadIp_Is422_NamingTheField_AndCreatesNothing()
    {
        var email = NurtureApp.UniqueEmail("noconsent");
        var response = await _app.Api().PostAsJsonAsync("/api/v1/leads", new { email, consent = new { source = "form", ip = "not-an-ip" } });

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("consent.text"), errors.ToJsonString());
        Assert.True(errors.ContainsKey("consent.ip"), errors.ToJsonString());
        Assert.False(_app.Db(db => db.Leads.Any(l => l.Email == email)));
    }
}
