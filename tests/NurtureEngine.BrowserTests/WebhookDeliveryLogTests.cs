using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>The delivery log of /settings/webhooks: a failed delivery shows the receiver's answer, a status filter finds it, and Replay sends it again.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebhookDeliveryLogTests(BrowserFixture browser)
{
    [Fact]
    public async Task AFailedDelivery_ShowsTheAnswer_IsFoundByStatus_AndReplayDeliversIt_OnAPhone()
    {
        await using var s = await AdminSession.StartAsync(browser, new Dictionary<string, string?>
        {
            ["Nurture:Webhooks:AllowPrivateNetworks"] = "true",
            ["Nurture:Webhooks:MaxAttempts"] = "1", // the first 500 gives it up: no waiting for backoff
        });
        await using var receiver = new WebhookReceiver(500);
        var api = s.App.Api();
        (await api.PutAsJsonAsync("/api/v1/webhooks/subscriptions/crm", new { url = receiver.Url, events = new[] { "stage_changed" } })).EnsureSuccessStatusCode();
        await s.App.CreateLeadAsync(new { email = "hooked@example.com" });
        await receiver.WaitForAsync(1);
        var delivery = await Eventually.GetAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>("/api/v1/webhooks/deliveries"))!["items"]!.AsArray().SingleOrDefault(),
            d => d?["status"]?.GetValue<string>() == "failed", what: "the delivery given up");
        var id = delivery!["id"]!.GetValue<string>();

        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, 375, 800);
        await page.GotoAsync(s.Url("/settings/webhooks"));
        await page.SelectOptionAsync("#status", "failed");
        await page.ClickAsync("button:has-text('Show')");
        var row = page.Locator($"tr[data-delivery='{id}']");
        await Expect(row.Locator(".status")).ToHaveTextAsync("failed");
        await Expect(row).ToContainTextAsync("stage_changed");
        await Expect(row).ToContainTextAsync("500");
        await AdminSession.AssertFitsAsync(page, 375);

        await row.Locator("button:has-text('Replay')").ClickAsync();
        await Expect(page.Locator(".flash")).ToHaveTextAsync("The stage_changed delivery to crm is queued to be sent again.");
        await receiver.WaitForAsync(2);
        await Eventually.GetAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>("/api/v1/webhooks/deliveries"))!["items"]!.AsArray().Single()!["status"]!.GetValue<string>(),
            status => status == "succeeded", what: "the replayed delivery delivered");

        await page.SelectOptionAsync("#status", "succeeded");
        await page.ClickAsync("button:has-text('Show')");
        await Expect(row.Locator(".status")).ToHaveTextAsync("succeeded");
        await page.SelectOptionAsync("#status", "failed");
        await page.ClickAsync("button:has-text('Show')");
        await Expect(page.Locator("#deliveries tbody tr")).ToHaveCountAsync(0);
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task AnUnknownStatusInTheAddress_IsExplainedInWords()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, 1366, 800);
        await page.GotoAsync(s.Url("/settings/webhooks?Status=bounced"));
        await Expect(page.Locator("p.error")).ToHaveTextAsync("There is no status \"bounced\": choose pending, succeeded or failed.");
    }
}
