using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Tests.Infrastructure;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Tests.Operations;

/// <summary>Outbound webhooks against a real local HTTP receiver: signing, retries, the delivery log, replay.</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync(new Dictionary<string, string?>
    {
        ["Nurture:Webhooks:AllowPrivateNetworks"] = "true", // the receiver is on 127.0.0.1
        ["Nurture:Webhooks:RetryBaseSeconds"] = "1",
    });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AStageChange_IsPosted_SignedWithTheSecret_WithTheLeadAndTheChange()
    {
        await using var receiver = new WebhookReceiver();
        var secret = await SubscribeAsync("crm", receiver.Url, "stage_changed");
        var email = NurtureApp.UniqueEmail("mql");
        var lead = await _app.CreateLeadAsync(new { email, firstName = "Ada" });
        var id = lead["id"]!.GetValue<string>();

        (await _app.Api().PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "mql" })).EnsureSuccessStatusCode();

        var requests = await receiver.WaitForAsync(2);
        Assert.All(requests, r => Assert.Equal("/hooks/nurture", r.Path));
        Assert.All(requests, r => Assert.True(WebhookSignature.Verify(secret, r.Headers["X-Nurture-Signature"], r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
            "signature verifies with the subscription's secret"));
        Assert.All(requests, r => Assert.False(WebhookSignature.Verify("whsec_someone_elses_secret", r.Headers["X-Nurture-Signature"], r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
        var toMql = requests.Select(r => JsonNode.Parse(r.Body)!).Single(b => b["activity"]!["data"]!["to"]!.GetValue<string>() == "mql");
        Assert.Equal("stage_changed", toMql["type"]!.GetValue<string>());
        Assert.Equal(id, toMql["lead"]!["id"]!.GetValue<string>());
        Assert.Equal(email, toMql["lead"]!["email"]!.GetValue<string>());
        Assert.Equal("api", toMql["activity"]!["data"]!["cause"]!.GetValue<string>());
        var header = requests.Single(r => r.Body.Contains("\"to\":\"mql\"")).Headers;
        Assert.Equal(toMql["id"]!.GetValue<string>(), header["X-Nurture-Delivery"]);
        Assert.Equal("stage_changed", header["X-Nurture-Event"]);
        // The subscription asked for stage changes only: the welcome email's email_sent is not posted.
        await _app.WaitForKindAsync(id, "email_sent");
        Assert.All(receiver.Received, r => Assert.Equal("stage_changed", JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AReceiverThatFailsTwice_GetsThreeAttempts_OfTheSameDelivery_AndTheLogShowsIt()
    {
        await using var receiver = new WebhookReceiver(500, 500);
        await SubscribeAsync("flaky", receiver.Url, "created");

        await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("retry") });

        // Retries are 1 s and 2 s apart; 90 s allows for the once-a-minute sweep, the designed fallback when a
        // nudge is lost on a starved machine (seen once in CI: one attempt, then nothing for 30 s).
        var requests = await receiver.WaitForAsync(3, seconds: 90);
        Assert.Single(requests.Select(r => r.Headers["X-Nurture-Delivery"]).Distinct());
        Assert.Single(requests.Select(r => r.Body).Distinct());
        var log = await Eventually.GetAsync(() => DeliveriesAsync("flaky"), d => d.Count == 1 && d[0]!["status"]!.GetValue<string>() == "succeeded",
            what: "the delivery log shows success");
        Assert.Equal(3, log[0]!["attempts"]!.GetValue<int>());
        Assert.Equal(200, log[0]!["lastStatusCode"]!.GetValue<int>());
        await Task.Delay(TimeSpan.FromSeconds(1)); // nothing more arrives once it succeeded
        Assert.Equal(3, receiver.Received.Count);
    }

    [Fact]
    public async Task Replay_SendsTheSameDeliveryAgain()
    {
        await using var receiver = new WebhookReceiver();
        await SubscribeAsync("replayed", receiver.Url, "created");
        await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("replay") });
        var first = (await receiver.WaitForAsync(1))[0];
        var delivery = await Eventually.GetAsync(() => DeliveriesAsync("replayed"), d => d.Count == 1 && d[0]!["status"]!.GetValue<string>() == "succeeded");
        var deliveryId = delivery[0]!["id"]!.GetValue<string>();

        var replay = await _app.Api().PostAsync($"/api/v1/webhooks/deliveries/{deliveryId}/replay", null);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var again = (await receiver.WaitForAsync(2))[1];
        Assert.Equal(deliveryId, again.Headers["X-Nurture-Delivery"]);
        Assert.Equal(first.Body, again.Body);
        var log = await Eventually.GetAsync(() => DeliveriesAsync("replayed"), d => d[0]!["attempts"]!.GetValue<int>() == 2 && d[0]!["status"]!.GetValue<string>() == "succeeded");
        Assert.Single(log);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Api().PostAsync($"/api/v1/webhooks/deliveries/{Guid.NewGuid()}/replay", null)).StatusCode);
    }

    [Fact]
    public async Task Subscriptions_CanBeListed_Read_Replaced_AndDeleted_WithoutShowingTheSecret()
    {
        var create = await _app.Api().PutAsJsonAsync("/api/v1/webhooks/subscriptions/crm", new { url = "https://crm.example.com/hook", events = new[] { "stage_changed" } });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var secret = (await create.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret);

        var replace = await _app.Api().PutAsJsonAsync("/api/v1/webhooks/subscriptions/crm", new { url = "https://crm.example.com/hook2", events = new[] { "stage_changed", "email_replied" } });
        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        Assert.Equal(secret, (await replace.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!.GetValue<string>());
        var got = await _app.Api().GetFromJsonAsync<JsonObject>("/api/v1/webhooks/subscriptions/crm");
        Assert.Equal("https://crm.example.com/hook2", got!["url"]!.GetValue<string>());
        Assert.Null(got["secret"]);
        Assert.Single((await _app.Api().GetFromJsonAsync<JsonArray>("/api/v1/webhooks/subscriptions"))!);

        var invalid = await _app.Api().PutAsJsonAsync("/api/v1/webhooks/subscriptions/bad", new { url = "ftp://x", events = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("url", errors.Select(e => e.Key));
        Assert.Contains("events", errors.Select(e => e.Key));

        Assert.Equal(HttpStatusCode.NoContent, (await _app.Api().DeleteAsync("/api/v1/webhooks/subscriptions/crm")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Api().GetAsync("/api/v1/webhooks/subscriptions/crm")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Api().DeleteAsync("/api/v1/webhooks/subscriptions/crm")).StatusCode);
    }

    private async Task<string> SubscribeAsync(string key, string url, params string[] events)
    {
        var response = await _app.Api().PutAsJsonAsync($"/api/v1/webhooks/subscriptions/{key}", new { url, events });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!.GetValue<string>();
    }

    private async Task<JsonArray> DeliveriesAsync(string subscription) =>
        (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/webhooks/deliveries?subscription={subscription}"))!["items"]!.AsArray();
}

/// <summary>SSRF: with the default settings, no webhook reaches a private, loopback or link-local address.</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookNetworkGuardTests
{
    [Fact]
    public async Task PrivateUrls_AreRefused_WhenPrivateNetworksAreNotAllowed()
    {
        string[] urls =
        [
            "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/hook",
            "http://192.168.0.10/hook", "http://100.64.0.1/hook", "http://[::1]/hook", "http://[fd00:ec2::254]/hook", "http://[::ffff:127.0.0.1]/hook",
        ];
        await using var app = await NurtureApp.StartAsync();

        foreach (var url in urls)
        {
            var response = await app.Api().PutAsJsonAsync("/api/v1/webhooks/subscriptions/internal", new { url, events = new[] { "*" } });

            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{url}: {response.StatusCode}");
            Assert.Contains("url", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        }
        Assert.Equal(0, app.Db(db => db.WebhookSubscriptions.Count()));
    }

    [Fact]
    public async Task ASubscriptionThatPointsInside_IsNeverPosted_TheDeliveryFailsAsRefused()
    {
        await using var receiver = new WebhookReceiver();
        await using var app = await NurtureApp.StartAsync();
        // As if saved while private networks were allowed, or by a name that later resolved inside.
        app.Db(db =>
        {
            db.WebhookSubscriptions.Add(new WebhookSubscription
            {
                Key = "inside", Url = receiver.Url, Secret = "whsec_0123456789abcdef", Events = ["created"],
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChanges();
        });
        app.Services.GetRequiredService<WebhookSubscriptionCache>().Invalidate(); // other processes see it within 5 s

        await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("ssrf") });

        var log = await Eventually.GetAsync(
            async () => (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/webhooks/deliveries?subscription=inside"))!["items"]!.AsArray(),
            d => d.Count == 1 && d[0]!["status"]!.GetValue<string>() == "failed", seconds: 40, what: "the delivery is refused");
        Assert.Contains("127.0.0.1", log[0]!["lastError"]!.GetValue<string>());
        Assert.Equal(1, log[0]!["attempts"]!.GetValue<int>());
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task TheConnectCallback_RefusesLoopback_EvenWhenTheUrlCheckWasPassed()
    {
        await using var receiver = new WebhookReceiver();
        using var guarded = WebhookHttpClient.Create(new WebhookOptions { AllowPrivateNetworks = false });
        using var open = WebhookHttpClient.Create(new WebhookOptions { AllowPrivateNetworks = true });

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync($"http://localhost:{receiver.Port}/x", new StringContent("{}")));
        var allowed = await open.PostAsync(receiver.Url, new StringContent("{}"));

        Assert.IsType<BlockedAddressException>(refused.InnerException ?? refused);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Single(receiver.Received);
    }
}
