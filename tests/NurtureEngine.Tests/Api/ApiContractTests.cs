using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>API.md's rules for auth, errors and events, checked through HTTP against the real app.</summary>
[Collection(AppCollection.Name)]
public sealed class ApiContractTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("ne_wrong_key")]
    public async Task MissingOrWrongApiKey_Is401_WithAProblemBody(string? key)
    {
        var client = _app.Anonymous();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var response = await client.GetAsync("/api/v1/leads");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task MalformedJson_Is400_AndCreatesNothing()
    {
        var response = await _app.Api().PostAsync("/api/v1/leads", new StringContent("{\"email\": \"a@b.example\",", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, _app.Db(db => db.Leads.Count()));
    }

    [Fact]
    public async Task AnInvalidLead_Is422_NamingEveryBadField_AndCreatesNothing()
    {
        var response = await _app.Api().PostAsJsonAsync("/api/v1/leads",
            new { email = "not-an-email", timeZone = "Mars/Olympus", tags = new[] { "Bad Tag" }, firstName = "Eve\r\nBcc: x@evil.example" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("email", errors.Select(e => e.Key));
        Assert.Contains("timeZone", errors.Select(e => e.Key));
        Assert.Contains("tags", errors.Select(e => e.Key));
        Assert.Contains("firstName", errors.Select(e => e.Key));
        Assert.Equal(0, _app.Db(db => db.Leads.Count()));
    }

    [Fact]
    public async Task AWrongType_Is422_NamingTheField()
    {
        var response = await _app.Api().PostAsync("/api/v1/leads",
            new StringContent("""{ "email": "typed@example.com", "dealValue": "lots" }""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("dealValue", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task UpsertingByEmail_IsCaseInsensitive_201ThenMerges200()
    {
        var first = await _app.Api().PostAsJsonAsync("/api/v1/leads", new { email = "Mixed.Case@Example.com", firstName = "Ada", tags = new[] { "webinar" }, attributes = new { industry = "rail", size = 10 } });
        var second = await _app.Api().PostAsJsonAsync("/api/v1/leads", new { email = "  mixed.case@example.COM ", lastName = "Lovelace", tags = new[] { "vip" }, attributes = new { size = (int?)null, region = "emea" } });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var lead = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Ada", lead["firstName"]!.GetValue<string>());
        Assert.Equal("Lovelace", lead["lastName"]!.GetValue<string>());
        Assert.Equal(["webinar", "vip"], lead["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("""{"industry":"rail","region":"emea"}""", lead["attributes"]!.ToJsonString());
        var list = await _app.Api().GetFromJsonAsync<JsonObject>("/api/v1/leads?email=MIXED.case@example.com");
        Assert.Single(list!["items"]!.AsArray());
    }

    [Fact]
    public async Task ConcurrentUpsertsOfOneEmailInDifferentCases_MakeOneLead()
    {
        var tasks = Enumerable.Range(0, 10).Select(i =>
            _app.Api().PostAsJsonAsync("/api/v1/leads", new { email = i % 2 == 0 ? "Race@Example.com" : "race@EXAMPLE.com", company = $"c{i}" }));
        var responses = await Task.WhenAll(tasks);

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(1, _app.Db(db => db.Leads.Count(l => l.EmailNormalized == "race@example.com")));
    }

    [Fact]
    public async Task UnknownLead_Is404_AndUnknownStage_Is422()
    {
        var missing = await _app.Api().GetAsync($"/api/v1/leads/{Guid.NewGuid()}");
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail() });
        var badStage = await _app.Api().PostAsJsonAsync($"/api/v1/leads/{lead["id"]}/stage", new { stage = "nowhere" });

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badStage.StatusCode);
        Assert.Contains("stage", (await badStage.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task StageEndpoint_RecordsCauseApi_AndMovingToTheSameStageIsANoOp()
    {
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail() });
        var id = lead["id"]!.GetValue<string>();

        var moved = await _app.Api().PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "sql" });
        var again = await _app.Api().PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "sql" });

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var changes = (await _app.TimelineAsync(id)).Where(e => e!["kind"]!.GetValue<string>() == "stage_changed").ToList();
        Assert.Equal(2, changes.Count);
        Assert.Equal("api", changes[0]!["data"]!["cause"]!.GetValue<string>());
        Assert.Equal("created", changes[1]!["data"]!["cause"]!.GetValue<string>());
        Assert.Null(changes[1]!["data"]!["from"]);
    }

    [Fact]
    public async Task TheSameEventTwiceWithOneIdempotencyKey_IsStoredOnce()
    {
        var email = NurtureApp.UniqueEmail("events");
        var batch = new { events = new[] { new { email, type = "pricing_viewed", idempotencyKey = "crm-123", occurredAt = "2026-11-22T10:00:00Z" } } };

        var first = await (await _app.Api().PostAsJsonAsync("/api/v1/events", batch)).Content.ReadFromJsonAsync<JsonObject>();
        var response = await _app.Api().PostAsJsonAsync("/api/v1/events", batch);
        var second = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, first!["accepted"]!.GetValue<int>());
        Assert.Equal(0, second!["accepted"]!.GetValue<int>());
        Assert.Equal(1, second["duplicates"]!.GetValue<int>());
        Assert.Equal(1, _app.Db(db => db.Activities.Count(a => a.EventType == "pricing_viewed")));
        var lead = _app.Db(db => db.Leads.Single(l => l.EmailNormalized == email));
        Assert.Equal(10, lead.Score);
    }

    [Fact]
    public async Task ConcurrentPostsOfOneEvent_StoreItOnce()
    {
        var email = NurtureApp.UniqueEmail("burst");
        var batch = new { events = new[] { new { email, type = "demo_attended", idempotencyKey = "burst-1" } } };

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _app.Api().PostAsJsonAsync("/api/v1/events", batch)));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(1, _app.Db(db => db.Activities.Count(a => a.IdempotencyKey == "burst-1")));
        Assert.Equal(1, _app.Db(db => db.Leads.Count(l => l.EmailNormalized == email)));
    }

    [Fact]
    public async Task ABatchWithOneBadEvent_StoresTheGoodOnes_AndNamesTheBadIndex()
    {
        var good = NurtureApp.UniqueEmail("good");
        var response = await _app.Api().PostAsync("/api/v1/events", new StringContent($$"""
            { "events": [
                { "email": "{{good}}", "type": "webinar_joined" },
                { "email": "{{good}}", "type": "Not A Type" },
                { "email": "{{good}}", "type": "pricing_viewed", "properties": { "plan": "pro" } } ] }
            """, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, body["accepted"]!.GetValue<int>());
        var rejected = body["rejected"]!.AsArray().Single()!;
        Assert.Equal(1, rejected["index"]!.GetValue<int>());
        Assert.Contains("type", rejected["error"]!.GetValue<string>());
        Assert.Equal(2, _app.Db(db => db.Activities.Count(a => a.Kind == "event")));
    }
}
