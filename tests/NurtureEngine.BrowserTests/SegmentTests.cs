using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class SegmentTests(BrowserFixture browser)
{
    private const string Marketer = "marketer@nurture.test", Rep = "rep@nurture.test";

    [Fact]
    public async Task Marketer_BuildsASegmentWithALiveCount_SavesIt_SeesMembers_AndEnrollsThem()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Marketer, "Marketer");
        await s.CreateUserAsync(Rep, "SalesRep");
        var ada = await s.App.CreateLeadAsync(new { email = "ada@example.com", firstName = "Ada", tags = new[] { "webinar" } });
        await s.App.CreateLeadAsync(new { email = "bob@example.com", firstName = "Bob", tags = new[] { "webinar" } });
        await s.App.CreateLeadAsync(new { email = "carl@example.com", firstName = "Carl" });
        (await s.App.Api().PutAsJsonAsync("/api/v1/sequences/webinar-follow-up", JsonNode.Parse("""
            { "name": "Webinar follow-up", "trigger": { "type": "manual" }, "steps": [ { "id": "thanks", "type": "email", "template": "welcome" } ] }
            """))).EnsureSuccessStatusCode();

        var page = await s.SignInAsync(Marketer);
        await page.GotoAsync(s.Url("/segments"));
        await page.ClickAsync("a:has-text('New segment')");
        await page.FillAsync("#key", "webinar-fans");
        await page.FillAsync("#name", "Webinar fans");

        // The JSON is the "advanced" view beside the visual builder (UsabilityTests drive the builder).
        await page.ClickAsync("#filter-json summary");
        // Live: typing a filter updates the count (script), with no click.
        await page.FillAsync("#filter", """{ "type": "has_tag", "tag": "nobody-has-this" }""");
        await Expect(page.Locator("#member-count")).ToHaveTextAsync("0 members");
        // Without script: the Count button posts the form and the page shows the count.
        await page.FillAsync("#filter", """{ "type": "has_tag", "tag": "webinar" }""");
        await page.ClickAsync("#count");
        await Expect(page.Locator("#member-count")).ToHaveTextAsync("2 members");
        // A filter naming an unknown stage is refused at its field.
        await page.FillAsync("#filter", """{ "type": "in_stage", "stage": "no-such-stage" }""");
        await page.ClickAsync("#save");
        await Expect(page.Locator(".error").First).ToContainTextAsync("no-such-stage");

        await page.FillAsync("#filter", """{ "type": "has_tag", "tag": "webinar" }""");
        await page.ClickAsync("#save");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Segment webinar-fans created: 2 members");
        await Expect(page.Locator("#members")).ToContainTextAsync("ada@example.com");
        await Expect(page.Locator("#members")).ToContainTextAsync("bob@example.com");
        await Expect(page.Locator("#members")).Not.ToContainTextAsync("carl@example.com");

        await page.SelectOptionAsync("#sequence", "webinar-follow-up");
        await page.ClickAsync("#enroll button[type=submit]");
        await Expect(page.Locator(".flash")).ToContainTextAsync("2 lead(s) of webinar-fans enrolled in webinar-follow-up");
        await s.App.WaitForKindAsync(ada["id"]!.GetValue<string>(), "enrolled");
        await s.ScreenshotAsync(page, "segment");

        await page.GotoAsync(s.Url("/segments"));
        await Expect(page.Locator("tr[data-segment='webinar-fans'] .members")).ToHaveTextAsync("2");

        var rep = await s.SignInAsync(Rep);
        await rep.GotoAsync(s.Url("/segments/edit/webinar-fans"));
        Assert.Contains("/account/denied", rep.Url);
        Assert.Empty(s.Dialogs);
    }
}
