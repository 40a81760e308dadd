using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Forms;

/// <summary>PUT/GET /api/v1/forms: the definition is checked whole (each bad field named) and stored as written.</summary>
[Collection(AppCollection.Name)]
public sealed class FormApiTests
{
    [Fact]
    public async Task AForm_IsCreatedReplacedAndListed_AndABadDefinitionNamesEachField_AndStoresNothing()
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        var api = app.Api();
        var created = await api.PutAsJsonAsync("/api/v1/forms/ebook", FormTestKit.Ebook());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("ebook", body["key"]!.GetValue<string>());
        Assert.Equal("attributes.industry", body["fields"]![2]!["name"]!.GetValue<string>());
        Assert.True(body["doubleOptIn"]!.GetValue<bool>());

        var definition = FormTestKit.Ebook();
        definition["name"] = "E-book (v2)";
        definition["allowedOrigins"] = new JsonArray("https://WWW.Example.com:443");
        var replaced = await api.PutAsJsonAsync("/api/v1/forms/ebook", definition);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var got = (await api.GetFromJsonAsync<JsonObject>("/api/v1/forms/ebook"))!;
        Assert.Equal("E-book (v2)", got["name"]!.GetValue<string>());
        Assert.Equal("https://www.example.com", got["allowedOrigins"]![0]!.GetValue<string>());
        Assert.Single((await api.GetFromJsonAsync<JsonArray>("/api/v1/forms"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/forms/nope")).StatusCode);

        var bad = JsonNode.Parse("""
            { "name": "Bad", "fields": [ { "name": "email", "type": "email" }, { "name": "favouriteColour", "type": "text" },
                                         { "name": "attributes.size", "type": "select" }, { "name": "phone", "type": "textarea" } ],
              "redirectUrl": "http://evil.example/steal", "asset": { "url": "javascript:alert(1)" },
              "allowedOrigins": [ "https://www.example.com/path", "http://www.example.com", "*" ], "stage": "no-such-stage", "confirmTemplate": "missing" }
            """)!;
        var refused = await api.PutAsJsonAsync("/api/v1/forms/bad", bad);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        foreach (var field in new[] { "fields[1].name", "fields[2].options", "fields[3].type", "redirectUrl", "asset.url",
                     "allowedOrigins[0]", "allowedOrigins[1]", "allowedOrigins[2]", "stage", "confirmTemplate" })
            Assert.Contains(field, errors);
        var noEmail = await api.PutAsJsonAsync("/api/v1/forms/bad", JsonNode.Parse("""{ "name": "x", "fields": [ { "name": "firstName", "type": "text" } ] }"""));
        Assert.Contains("fields", (await noEmail.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/forms/bad")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PutAsJsonAsync("/api/v1/forms/x", FormTestKit.Ebook())).StatusCode);
    }

    [Fact]
    public async Task ThePlainHtmlFormsPixel_CountsAView_InTheFormsReport_AndAnUnknownFormIs404()
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        await FormTestKit.PutFormAsync(app, "pixel", FormTestKit.Ebook());
        var pixel = await app.Anonymous().GetAsync("/f/pixel/view.gif");
        Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-store", pixel.Headers.CacheControl!.ToString());
        Assert.StartsWith("GIF89a", System.Text.Encoding.ASCII.GetString(await pixel.Content.ReadAsByteArrayAsync()));
        await app.Anonymous().GetAsync("/f/pixel/view.gif");
        var report = (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/forms/pixel/report"))!;
        Assert.Equal(2, report["views"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync("/f/no-such-form/view.gif")).StatusCode);
    }
}
