using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>Calls the sales API the way an integration would, asserting the status of each call.</summary>
public static class SalesApi
{
    public static async Task<JsonObject> SendAsync(this HttpClient api, HttpMethod method, string url, object? body, HttpStatusCode expected)
    {
        var response = await api.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {url}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["items"] = JsonNode.Parse(text) };
    }

    public static Task<JsonObject> PostJsonAsync(this HttpClient api, string url, object body, HttpStatusCode expected = HttpStatusCode.OK) =>
        api.SendAsync(HttpMethod.Post, url, body, expected);

    public static Task<JsonObject> GetJsonAsync(this HttpClient api, string url) => api.SendAsync(HttpMethod.Get, url, null, HttpStatusCode.OK);

    public static async Task PutDealPipelineAsync(this HttpClient api, string key) =>
        await api.SendAsync(HttpMethod.Put, $"/api/v1/pipelines/{key}", new
        {
            name = "B2B deals", @object = "deal",
            stages = new object[]
            {
                new { key = "qualified", name = "Qualified", probability = 20, kind = "open" },
                new { key = "proposal", name = "Proposal", probability = 60, kind = "open" },
                new { key = "won", name = "Won", probability = 100, kind = "won" },
                new { key = "lost", name = "Lost", probability = 0, kind = "lost" },
            },
        }, HttpStatusCode.Created);

    public static async Task<string> LeadAsync(this NurtureApp app, string email, object? extra = null)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        body["email"] = email;
        return (await app.CreateLeadAsync(body))["id"]!.GetValue<string>();
    }

    public static async Task<string> DealAsync(this HttpClient api, object body) =>
        (await api.PostJsonAsync("/api/v1/deals", body, HttpStatusCode.Created))["id"]!.GetValue<string>();

    public static string Field(this JsonObject problem, string field) =>
        problem["errors"]?[field]?[0]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"no error for {field}: {problem.ToJsonString()}");
}
