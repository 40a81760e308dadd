using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.ApiKeys;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>
/// Per-key and per-IP rate limits on the public surface (RateLimits:* settings, tiny here):
/// the request over the limit is 429 problem+json with Retry-After and does nothing; other keys
/// are not affected.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RateLimitTests : IAsyncLifetime
{
    private const int Limit = 5;
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync(new Dictionary<string, string?>
    {
        ["RateLimits:ApiPerKeyPerMinute"] = Limit.ToString(),
        ["RateLimits:PublicPerIpPerMinute"] = Limit.ToString(),
        ["RateLimits:LoginPerIpPerMinute"] = Limit.ToString(),
    });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task AssertTooManyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.True(seconds is >= 1 and <= 60, $"Retry-After {seconds}");
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(429, problem!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task AnApiKeyOverItsLimit_Gets429WithRetryAfter_ChangesNothing_AndOtherKeysAreServed()
    {
        var api = _app.Api();
        for (var i = 0; i < Limit - 1; i++) Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/leads")).StatusCode);
        var email = NurtureApp.UniqueEmail("limited");
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/leads", new { email })).StatusCode);

        var over = NurtureApp.UniqueEmail("over");
        await AssertTooManyAsync(await api.PostAsJsonAsync("/api/v1/leads", new { email = over }));
        Assert.False(_app.Db(db => db.Leads.Any(l => l.Email == over)));

        // Another key has a budget of its own.
        using var scope = _app.Services.CreateScope();
        var other = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("second integration", CancellationToken.None);
        using var second = _app.Anonymous();
        second.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", other);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/v1/leads")).StatusCode);
    }

    [Fact]
    public async Task TrackingAndUnsubscribeLinks_OverTheLimitFromOneIp_Get429_AndRecordNothing()
    {
        using var client = _app.Anonymous();
        for (var i = 0; i < Limit; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/t/c/guessed-{i}")).StatusCode);
        await AssertTooManyAsync(await client.GetAsync("/t/c/guessed-again"));
        await AssertTooManyAsync(await client.PostAsync("/u/guessed", new StringContent("List-Unsubscribe=One-Click")));
        Assert.Equal(0, _app.Db(db => db.Activities.Count(a => a.Kind == "email_clicked" || a.Kind == "unsubscribed")));
    }

    [Fact]
    public async Task SignInAttemptsOverTheLimitFromOneIp_Get429_EvenWithTheRightPassword()
    {
        using var client = AdminClient.Anonymous(_app);
        for (var i = 0; i < Limit; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.TrySignInAsync($"nobody{i}@nurture.test", "wrong-password-1")).StatusCode);
        await AssertTooManyAsync(await client.TrySignInAsync(AdminClient.AdminEmail, AdminClient.AdminPassword));
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/account/login")).StatusCode); // the form itself is still shown
    }
}
