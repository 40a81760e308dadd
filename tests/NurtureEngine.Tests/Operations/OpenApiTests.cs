using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Operations;

/// <summary>The generated OpenAPI document covers the public contract: every endpoint API.md names.</summary>
[Collection(AppCollection.Name)]
public sealed partial class OpenApiTests : IAsyncLifetime
{
    /// <summary>
    /// Endpoints API.md promises that are not built yet. Keep this honest: a test fails when one of
    /// them appears in the document, so it must leave this list the day it is built.
    /// </summary>
    private static readonly HashSet<string> NotYetBuilt =
    [
    ];

    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task EveryEndpointNamedInApiMd_IsInTheOpenApiDocument()
    {
        var document = await DocumentAsync();
        var documented = Operations(document);

        var promised = ApiMdEndpoints();
        Assert.True(promised.Count >= 25, $"expected to find the API.md endpoint list, found {promised.Count}");
        var missing = promised.Where(e => !NotYetBuilt.Contains(e) && !documented.Contains(e)).ToList();
        var builtSince = NotYetBuilt.Where(documented.Contains).ToList();

        Assert.True(missing.Count == 0, "Not in /openapi/v1.json: " + string.Join(", ", missing));
        Assert.True(builtSince.Count == 0, "Built now, remove from NotYetBuilt: " + string.Join(", ", builtSince));
    }

    [Fact]
    public async Task TheDocument_HasSummaries_ApiMdExamples_AndTheBearerScheme()
    {
        var document = await DocumentAsync();

        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();
        Assert.All(paths, p => Assert.StartsWith("/api/", p.Key));
        foreach (var (path, item) in paths)
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Key is "get" or "post" or "put" or "delete"))
                Assert.False(string.IsNullOrWhiteSpace(operation!["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
        var upsert = paths["/api/v1/leads"]!["post"]!;
        Assert.Equal("Ada@Example.com", upsert["requestBody"]!["content"]!["application/json"]!["example"]!["email"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["ApiKey"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheReferencePage_IsServed()
    {
        var redirect = await _app.Anonymous().GetAsync("/docs");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.EndsWith("docs/", redirect.Headers.Location!.OriginalString);
        var response = await _app.Anonymous().GetAsync("/docs/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("NurtureEngine API", await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonObject> DocumentAsync()
    {
        var response = await _app.Anonymous().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static HashSet<string> Operations(JsonObject document) =>
        document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"))
            .ToHashSet();

    private static HashSet<string> ApiMdEndpoints() =>
        EndpointInProse().Matches(File.ReadAllText(RepoFiles.ApiMd)).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToHashSet();

    /// <summary>"`GET /api/v1/leads?stage=...`" names GET /api/v1/leads.</summary>
    [GeneratedRegex(@"`(GET|POST|PUT|DELETE) (/api/[^`?\s]+)")]
    private static partial Regex EndpointInProse();
}
