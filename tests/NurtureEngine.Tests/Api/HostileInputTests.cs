using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>Hostile input gets a clear 4xx, changes nothing and leaks nothing.</summary>
[Collection(AppCollection.Name)]
public sealed class HostileInputTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ATenMegabyteBody_Is413_AndChangesNothing()
    {
        var huge = "{\"email\":\"big@example.com\",\"company\":\"" + new string('x', 10 * 1024 * 1024) + "\"}";
        var response = await _app.Api().PostAsync("/api/v1/leads", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, _app.Db(db => db.Leads.Count()));
    }

    [Fact]
    public async Task AHundredThousandEventBatch_IsRefusedWhole_NamingTheLimit()
    {
        var events = string.Join(",", Enumerable.Repeat("""{"email":"a@b.example","type":"x"}""", 100_000));
        var response = await _app.Api().PostAsync("/api/v1/events", new StringContent($"{{\"events\":[{events}]}}", Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge, response.StatusCode.ToString());
        Assert.Equal(0, _app.Db(db => db.Activities.Count(a => a.Kind == "event")));
    }

    [Fact]
    public async Task OverOneThousandEvents_Is422_NamingEvents()
    {
        var events = Enumerable.Range(0, 1001).Select(i => new { email = $"e{i}@example.com", type = "x" });
        var response = await _app.Api().PostAsJsonAsync("/api/v1/events", new { events });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("events", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, _app.Db(db => db.Leads.Count()));
    }

    [Theory]
    [InlineData("q", "' OR 1=1 --")]
    [InlineData("q", "%' ; DROP TABLE nurture.lead; --")]
    [InlineData("stage", "lead' OR '1'='1")]
    [InlineData("tag", "x'); DELETE FROM nurture.lead; --")]
    [InlineData("owner", "a@b.c' OR 'x'='x")]
    public async Task SqlInjectionInFilters_FindsNothing_AndBreaksNothing(string parameter, string value)
    {
        await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("victim"), tags = new[] { "x" }, owner = "a@b.example" });

        var response = await _app.Api().GetAsync($"/api/v1/leads?{parameter}={Uri.EscapeDataString(value)}");

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity, response.StatusCode.ToString());
        if (response.StatusCode == HttpStatusCode.OK)
            Assert.Empty((await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray());
        Assert.Equal(1, _app.Db(db => db.Leads.Count()));
    }

    public static TheoryData<string> InvalidEmails() => new()
    {
        "a@b",                                       // no dot in the domain
        "a@@b.com",
        "a b@c.com",
        "\"a b\"@c.com",                            // quoted space
        "a@-b.com",                                  // a label may not start with a hyphen
        "a@b-.com",
        "a@b..com",
        "a@example.com.",                            // a second spelling of the same address
        "a@[127.0.0.1]",                             // no domain literals
        "Ada <ada@example.com>",                     // a display name
        "a\u0000b@example.com",
        "a\u0007b@example.com",
        "ada@example.com\r\nBcc: victim@evil.example",
        "ab@exa\u200Bmple.com",                      // a zero-width space, dropped by IDNA mapping: a second spelling
        "a\u200Bb@example.com",                      // invisible in the local part
        "moc.elpmaxe\u202E@example.com",             // a right-to-left override
        "a@\uFF45xample.com",                        // a full-width letter, folded by IDNA mapping
        new string('a', 65) + "@example.com",        // local part over 64 octets
        new string('ö', 33) + "@example.com",        // 66 octets in UTF-8
        "a@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 5)) + ".com", // domain over 253
        new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 3)) + ".example", // 255 in all
        "a@" + new string('b', 64) + ".com",         // a label over 63
    };

    [Theory]
    [MemberData(nameof(InvalidEmails))]
    public async Task AnInvalidEmail_Is422_NamingEmail_AndStoresNothing(string email)
    {
        var response = await _app.Api().PostAsJsonAsync("/api/v1/leads", new { email });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["email"], (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, _app.Db(db => db.Leads.Count()));
    }

    [Fact]
    public async Task AServerError_NeverLeaksAStackTrace()
    {
        var response = await _app.Api().GetAsync("/api/v1/leads?cursor=not-a-cursor");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("Exception", body);
    }
}
