using System.Net.Http.Json;
using NurtureEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class BroadcastEditorTests(BrowserFixture browser)
{
    private const string Marketer = "marketer@nurture.test";

    [Fact]
    public async Task Marketer_CreatesPreviewsTestSendsSchedulesAndSendsABroadcast_AndReadsTheReport()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Marketer, "Marketer");
        await s.App.QuietDemoSequencesAsync();
        await s.App.CreateLeadAsync(new { email = "ada@example.com", firstName = "Ada", tags = new[] { "readers" } });
        await s.App.CreateLeadAsync(new { email = "bob@example.com", firstName = "Bob", tags = new[] { "readers" } });
        await s.App.CreateLeadAsync(new { email = "carl@example.com", firstName = "Carl" });
        (await s.App.Api().PutAsJsonAsync("/api/v1/segments/readers", new { name = "Readers", filter = new { type = "has_tag", tag = "readers" } })).EnsureSuccessStatusCode();
        (await s.App.Api().PutAsJsonAsync("/api/v1/templates/dec-news", new
        {
            name = "December news", subject = "News for {{ lead.first_name }}", html = "<p>Hi {{ lead.first_name }}, <a href=\"https://example.com/d\">read on</a></p>",
        })).EnsureSuccessStatusCode();

        var page = await s.SignInAsync(Marketer);
        await page.GotoAsync(s.Url("/broadcasts"));
        await page.ClickAsync("a:has-text('New broadcast')");
        await page.FillAsync("#key", "december");
        await page.FillAsync("#name", "December newsletter");
        await page.SelectOptionAsync("#template", "dec-news");
        await page.SelectOptionAsync("#segment", "readers");
        await page.ClickAsync("#count");
        await Expect(page.Locator("#audience-count")).ToContainTextAsync("2 leads would get it now");
        await page.ClickAsync("#preview-button");
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("News for marketer");
        await page.ClickAsync("#test-send");
        await Expect(page.Locator(".flash")).ToContainTextAsync($"Test email sent to {Marketer}");
        Assert.Equal(1, s.App.Db(db => db.DevInbox.Count(m => m.ToAddress.Contains(Marketer))));

        await page.FillAsync("#sendAt", DateTime.UtcNow.AddDays(7).ToString("yyyy-MM-ddTHH:mm"));
        await page.ClickAsync("#save");
        await Expect(page.Locator(".flash")).ToContainTextAsync("\"December newsletter\" created and scheduled");
        await page.GotoAsync(s.Url("/broadcasts"));
        await Expect(page.Locator("tr[data-broadcast='december'] .status")).ToHaveTextAsync("scheduled");

        // Changed its mind: send now, from the report page.
        await page.GotoAsync(s.Url("/broadcasts/december"));
        await page.ClickAsync("button:has-text('Send now')");
        await Expect(page.Locator("#audience")).ToHaveTextAsync("2");
        await s.App.WaitForKindAsync(s.App.Db(db => db.Leads.Single(l => l.Email == "ada@example.com").Id.ToString()), "email_sent");
        await Eventually.GetAsync(async () => { await page.ReloadAsync(); return await page.Locator("#status").InnerTextAsync(); }, t => t == "sent", 60, "broadcast sent");
        await Expect(page.Locator("#funnel")).ToContainTextAsync("Sent");
        await Expect(page.Locator("#funnel .bar[data-label='Sent']")).ToContainTextAsync("2");
        Assert.Equal(0, s.App.Db(db => db.DevInbox.Count(m => m.ToAddress.Contains("carl@example.com"))));
        Assert.Equal(1, s.App.Db(db => db.DevInbox.Count(m => m.ToAddress.Contains("ada@example.com"))));
        await s.ScreenshotAsync(page, "broadcast-report");
    }
}
