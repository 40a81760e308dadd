using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>
/// Walks every operation of /openapi/v1.json with hostile input (NUL, an unpaired surrogate, a 1 MB
/// string, deep JSON, a number out of range) in each query parameter and string field
/// of the documented example body. None may answer 5xx; text PostgreSQL cannot store is always refused.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OpenApiHostileInputTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>JSON spellings of hostile string values (raw JSON text, so escapes reach the server as sent).</summary>
    private static readonly Dictionary<string, string> HostileStrings = new()
    {
        ["NUL"] = "\"a\\u0000b\"",
        ["lone high surrogate"] = "\"a\\ud800b\"",
        ["lone low surrogate"] = "\"\\udc00\"",
        ["1 MB string"] = "\"" + new string('x', 1024 * 1024) + "\"",
    };

    [Fact]
    public async Task EveryOperation_RefusesHostileInput_WithA4xx_NeverA5xx()
    {
        var document = JsonNode.Parse(await _app.Anonymous().GetStringAsync("/openapi/v1.json"))!.AsObject();
        var failures = new List<string>();
        var probes = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Key is "get" or "post" or "put" or "delete"))
            {
                foreach (var request in Probes(method, path, operation!.AsObject()))
                {
                    probes++;
                    var response = await _app.Api().SendAsync(request.Message);
                    var status = (int)response.StatusCode;
                    if (status >= 500 || !request.MayPass && status < 400)
                        failures.Add($"{method.ToUpperInvariant()} {path} with {request.What}: {status} {Truncate(await response.Content.ReadAsStringAsync())}");
                }
            }

        Assert.True(probes > 150, $"only {probes} probes: the walk found too little of the document");
        Assert.True(failures.Count == 0, $"{failures.Count} of {probes} probes failed:\n" + string.Join("\n", failures));
    }

    private sealed record Probe(string What, HttpRequestMessage Message, bool MayPass = false);

    private static IEnumerable<Probe> Probes(string method, string path, JsonObject operation)
    {
        var http = new HttpMethod(method.ToUpperInvariant());
        var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        // A NUL in the path never gets this far: the server refuses it. Path parameters are a harmless key.
        string Url() => System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]+\}", "x");

        foreach (var p in parameters.Where(p => p["in"]!.GetValue<string>() == "query"))
        {
            var name = p["name"]!.GetValue<string>();
            yield return new Probe($"NUL in query {name}", new HttpRequestMessage(http, $"{Url()}?{name}=a%00b") { Content = Body(http, "{}") });
            yield return new Probe($"lone surrogate in query {name}", new HttpRequestMessage(http, $"{Url()}?{name}=a%ED%A0%80b") { Content = Body(http, "{}") }, MayPass: true);
            yield return new Probe($"out-of-range number in query {name}", new HttpRequestMessage(http, $"{Url()}?{name}=99999999999999999999") { Content = Body(http, "{}") }, MayPass: true);
        }
        if (http == HttpMethod.Get || http == HttpMethod.Delete) yield break;

        var example = operation["requestBody"]?["content"]?["application/json"]?["example"]?.AsObject() ?? new JsonObject { ["name"] = "x" };
        foreach (var leaf in StringLeaves(example, ""))
            foreach (var (what, json) in HostileStrings)
                // A bad item in an events batch is a rejected item of a 202, the others stored: see EventBatchTests.
                yield return new Probe($"{what} in {leaf}", new HttpRequestMessage(http, Url()) { Content = Body(http, Replace(example, leaf, json)) },
                    MayPass: path == "/api/v1/events");
        yield return new Probe("JSON 200 deep", new HttpRequestMessage(http, Url())
        { Content = Body(http, "{\"name\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200) + "}") });
        yield return new Probe("a number out of range", new HttpRequestMessage(http, Url()) { Content = Body(http, Replace(example, FirstLeaf(example), "1e400")) },
            MayPass: path == "/api/v1/events");
        yield return new Probe("a duplicate key", new HttpRequestMessage(http, Url()) { Content = Body(http, "{\"name\":\"a\",\"name\":\"b\"}") });
        yield return new Probe("invalid UTF-8", new HttpRequestMessage(http, Url())
        { Content = new ByteArrayContent([.. "{\"name\":\""u8, 0xC3, 0x28, .. "\"}"u8]) { Headers = { ContentType = new("application/json") } } });
    }

    private static HttpContent? Body(HttpMethod http, string json) =>
        http == HttpMethod.Get || http == HttpMethod.Delete ? null : new StringContent(json, Encoding.UTF8, "application/json");

    /// <summary>Paths of every string value in the example ("events[0].email").</summary>
    private static IEnumerable<string> StringLeaves(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => StringLeaves(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((n, i) => StringLeaves(n, $"{path}[{i}]")),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [path],
        _ => [],
    };

    private static string FirstLeaf(JsonObject example) => StringLeaves(example, "").FirstOrDefault() ?? "name";

    /// <summary>The example as JSON text with the value at <paramref name="leaf"/> replaced by raw JSON.</summary>
    private static string Replace(JsonObject example, string leaf, string rawJson)
    {
        const string marker = "\"__HOSTILE__\"";
        var copy = example.DeepClone();
        JsonNode parent = copy;
        var parts = System.Text.RegularExpressions.Regex.Matches(leaf, @"[^.\[\]]+").Select(m => m.Value).ToList();
        foreach (var part in parts[..^1])
            parent = int.TryParse(part, out var i) && parent is JsonArray ? parent[i]! : parent[part] ?? (parent[part] = new JsonObject());
        if (parent is JsonArray array) array[int.Parse(parts[^1])] = "__HOSTILE__";
        else parent[parts[^1]] = "__HOSTILE__";
        return copy.ToJsonString().Replace(marker, rawJson);
    }

    private static string Truncate(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
