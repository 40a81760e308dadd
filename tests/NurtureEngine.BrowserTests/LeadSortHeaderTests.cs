using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>The lead list's Company, Stage and Last activity headers sort it, say so (aria-sort) and keep the filters.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LeadSortHeaderTests(BrowserFixture browser)
{
    [Fact]
    public async Task CompanyStageAndLastActivityHeaders_SortTheList_AndSaySo()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        await s.App.CreateLeadAsync(new { email = "zulu@example.com", company = "Acme", stage = "sql", tags = new[] { "mine" } });
        await s.App.CreateLeadAsync(new { email = "yank@example.com", company = "zenith", stage = "lead", tags = new[] { "mine" } });
        await s.App.CreateLeadAsync(new { email = "xray@example.com", stage = "mql", tags = new[] { "mine" } });
        await s.App.CreateLeadAsync(new { email = "other@example.com", company = "Aardvark" });
        // Backdated a year, but what arrived last: first by last activity, and shown as when it arrived.
        (await s.App.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { email = "zulu@example.com", type = "sort_test_ping", occurredAt = DateTimeOffset.UtcNow.AddYears(-1) } } }))
            .EnsureSuccessStatusCode();
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, 1366);
        var rows = page.Locator("#leads tbody tr");
        await page.GotoAsync(s.Url("/leads?tag=mine"));

        await page.ClickAsync("#sort-company");
        await Expect(page.Locator("th[aria-sort=ascending]")).ToContainTextAsync("Company");
        await ExpectRowsAsync("zulu@example.com", "yank@example.com", "xray@example.com"); // Acme, zenith, none; the tag still filters

        await page.ClickAsync("#sort-stage");
        await Expect(page.Locator("th[aria-sort=ascending]")).ToContainTextAsync("Stage");
        await ExpectRowsAsync("yank@example.com", "xray@example.com", "zulu@example.com"); // Lead, Marketing qualified, Sales qualified
        await Expect(rows.Locator("td.stage")).ToHaveTextAsync(["Lead", "Marketing qualified", "Sales qualified"]);

        await page.ClickAsync("#sort-last-activity");
        await Expect(page.Locator("th[aria-sort=descending]")).ToContainTextAsync("Last activity");
        await ExpectRowsAsync("zulu@example.com", "xray@example.com", "yank@example.com");
        var shown = await rows.Locator("td.last-activity time").EvaluateAllAsync<string[]>("times => times.map(t => t.dateTime)");
        Assert.Equal(shown.OrderDescending(StringComparer.Ordinal), shown); // the column reads in the order the rows are in
        Assert.StartsWith(DateTimeOffset.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), shown[0]);

        async Task ExpectRowsAsync(params string[] emails)
        {
            for (var i = 0; i < emails.Length; i++) await Expect(rows.Nth(i)).ToHaveAttributeAsync("data-lead", emails[i]);
            await Expect(rows).ToHaveCountAsync(emails.Length);
        }
    }
}
