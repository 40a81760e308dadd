using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>Text PostgreSQL cannot store is refused where it enters, naming the field; a bad batch item is a rejected item.</summary>
[Collection(AppCollection.Name)]
public sealed class BoundaryTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<string[]> FieldsOf(HttpResponseMessage response) =>
        [.. (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key)];

    [Fact]
    public async Task ANulInTheQueryString_Is400_NamingTheParameter()
    {
        var response = await _app.Api().GetAsync("/api/v1/leads?email=%00");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // API.md: "400 in a query string"
        Assert.Equal(["email"], await FieldsOf(response));
    }

    [Theory]
    [InlineData("\"Acme\\u0000 Ltd\"")]
    [InlineData("\"Acme \\ud83d Ltd\"")]
    public async Task BadTextInAJsonField_Is422_NamingIt_AndStoresNothing(string company)
    {
        var response = await _app.Api().PostAsync("/api/v1/leads",
            new StringContent($"{{\"email\":\"nul@example.com\",\"company\":{company}}}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(["company"], await FieldsOf(response));
        Assert.Equal(0, _app.Db(db => db.Leads.Count(l => l.Email == "nul@example.com")));
    }

    [Fact]
    public async Task ADuplicateKey_IsRefused_NotLastWins()
    {
        var response = await _app.Api().PostAsync("/api/v1/leads",
            new StringContent("""{"email":"dup@example.com","company":"A","company":"B"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _app.Db(db => db.Leads.Count(l => l.Email == "dup@example.com")));
    }

    [Fact]
    public async Task InvalidUtf8_IsRefused_NotTurnedIntoReplacementCharacters()
    {
        byte[] body = [.. """{"email":"utf@example.com","company":"caf"""u8, 0xE9, .. "\"}"u8];
        var response = await _app.Api().PostAsync("/api/v1/leads", new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _app.Db(db => db.Leads.Count(l => l.Email == "utf@example.com")));
    }

    [Fact]
    public async Task AnEventsBatch_WithOneBadItem_StoresTheOthers_AndRejectsThatOneByIndex()
    {
        var (a, c) = (NurtureApp.UniqueEmail("a"), NurtureApp.UniqueEmail("c"));
        var body = $$$"""{"events":[{"email":"{{{a}}}","type":"x"},{"email":"b@example.com","type":"x","properties":{"note":"a\u0000b"}},{"email":"{{{c}}}","type":"x"}]}""";

        var response = await _app.Api().PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, result["accepted"]!.GetValue<int>());
        var rejected = Assert.Single(result["rejected"]!.AsArray());
        Assert.Equal(1, rejected!["index"]!.GetValue<int>());
        Assert.Contains("properties.note", rejected["error"]!.GetValue<string>());
        Assert.Equal(1, _app.Db(db => db.Leads.Count(l => l.Email == a)));
        Assert.Equal(1, _app.Db(db => db.Leads.Count(l => l.Email == c)));
        Assert.Equal(0, _app.Db(db => db.Leads.Count(l => l.Email == "b@example.com")));
        Assert.Equal(2, _app.Db(db => db.Activities.Count(x => x.EventType == "x")));
    }

    [Fact]
    public async Task AnEventFarInTheFuture_IsARejectedItem()
    {
        var body = """{"events":[{"email":"future@example.com","type":"x","occurredAt":"9999-12-31T00:00:00Z"}]}""";
        var result = (await (await _app.Api().PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(0, result["accepted"]!.GetValue<int>());
        Assert.Contains("occurredAt", Assert.Single(result["rejected"]!.AsArray())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheUnsubscribeForm_WithAMalformedMultipartBody_OrANulTopic_Is400_NotA500()
    {
        var malformed = new StringContent("--b\r\nContent-Disposition: form-data; name=\"topic\"\r\n\r\nnews", Encoding.UTF8);
        malformed.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        var multipart = await _app.Anonymous().PostAsync("/u/not-a-token", malformed);
        var nul = await _app.Anonymous().PostAsync("/u/not-a-token/preferences",
            new StringContent("topic=%00", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, multipart.StatusCode);
        // The form reader itself refuses a NUL ("the form value contains invalid characters"); we answer it as a 400.
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Contains("invalid characters", await nul.Content.ReadAsStringAsync());
    }
}
