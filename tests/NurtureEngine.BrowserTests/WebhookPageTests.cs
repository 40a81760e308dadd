using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>Webhook subscriptions made, paused and deleted on the page, with errors at their fields: no API needed.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebhookPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task Admin_AddsAWebhookOnThePage_ErrorsAtTheFields_TheReceiverGetsEvents_ThenPausesAndDeletesIt()
    {
        await using var s = await AdminSession.StartAsync(browser, new Dictionary<string, string?> { ["Nurture:Webhooks:AllowPrivateNetworks"] = "true" });
        await using var receiver = new WebhookReceiver();
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, 375, 800);
        await page.GotoAsync(s.Url("/settings/webhooks"));
        await Expect(page.Locator("#no-subscriptions")).ToBeVisibleAsync();

        // Wrong URL, no event: both named at their fields, nothing stored, nothing typed lost.
        await page.FillAsync("#sub-key", "crm");
        await page.FillAsync("#sub-url", "crm.example.com/hook");
        await page.ClickAsync("#save-subscription");
        await Expect(page.Locator(".field-error[data-field=url]")).ToContainTextAsync("absolute http or https URL");
        await Expect(page.Locator(".field-error[data-field=events]")).ToContainTextAsync("at least one");
        await Expect(page.Locator("#sub-key")).ToHaveValueAsync("crm");
        Assert.Empty((await s.App.Api().GetFromJsonAsync<JsonArray>("/api/v1/webhooks/subscriptions"))!);

        await page.FillAsync("#sub-url", receiver.Url);
        await page.CheckAsync("#sub-events input[value=stage_changed]");
        await page.FillAsync("#sub-custom", "demo_booked");
        await page.ClickAsync("#save-subscription");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Subscription crm added. Its signing secret, shown only now:");
        await Expect(page.Locator("tr[data-subscription=crm]")).ToContainTextAsync("stage_changed, demo_booked");
        var wide = await page.EvaluateAsync<string[]>("() => [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 376 && !e.closest('table')).map(e => e.tagName + '#' + e.id + '.' + e.className)");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 375, string.Join(", ", wide));
        await s.App.CreateLeadAsync(new { email = "hook@example.com" });
        Assert.Single(await receiver.WaitForAsync(1));

        // The same key again is refused at the key; changing it keeps its events and can pause it.
        await page.FillAsync("#sub-key", "crm");
        await page.FillAsync("#sub-url", receiver.Url);
        await page.CheckAsync("#sub-events input[value='*']");
        await page.ClickAsync("#save-subscription");
        await Expect(page.Locator(".field-error[data-field=key]")).ToContainTextAsync("already a subscription");
        await page.ClickAsync("tr[data-subscription=crm] a:has-text('Change')");
        await Expect(page.Locator("#sub-events input[value=stage_changed]")).ToBeCheckedAsync();
        await Expect(page.Locator("#sub-custom")).ToHaveValueAsync("demo_booked");
        await page.UncheckAsync("#sub-active");
        await page.ClickAsync("#save-subscription");
        await Expect(page.Locator(".flash")).ToHaveTextAsync("Subscription crm saved.");
        await Expect(page.Locator("tr[data-subscription=crm]")).ToContainTextAsync("paused");
        var stored = (await s.App.Api().GetFromJsonAsync<JsonArray>("/api/v1/webhooks/subscriptions"))!.Single()!;
        Assert.False(stored["active"]!.GetValue<bool>());
        Assert.Equal(["stage_changed", "demo_booked"], stored["events"]!.AsArray().Select(e => e!.GetValue<string>()));

        await page.ClickAsync("tr[data-subscription=crm] button:has-text('Delete')");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Subscription crm deleted");
        Assert.Empty((await s.App.Api().GetFromJsonAsync<JsonArray>("/api/v1/webhooks/subscriptions"))!);
        Assert.Empty(s.Dialogs);
    }
}
