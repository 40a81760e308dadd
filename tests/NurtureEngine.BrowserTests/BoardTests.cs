using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>Issue 18: the pipeline board, by drag and drop and by keyboard, with totals a manager watches.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BoardTests(BrowserFixture browser)
{
    private const string Manager = "manager@nurture.test", Rep = "rep@nurture.test";

    [Fact]
    public async Task Rep_DragsACard_AndMovesAnotherByKeyboard_BothOnTheTimelineAsAdmin_AndTheManagerSeesTheTotalsChange()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Manager, "Marketer");
        await s.CreateUserAsync(Rep, "SalesRep");
        var ada = (await s.App.CreateLeadAsync(new { email = "ada@example.com", firstName = "Ada", owner = Rep, dealValue = 1000 }))["id"]!.GetValue<string>();
        var bob = (await s.App.CreateLeadAsync(new { email = "bob@example.com", firstName = "Bob", owner = Rep, dealValue = 3000 }))["id"]!.GetValue<string>();
        await s.App.CreateLeadAsync(new { email = "carl@example.com", firstName = "Carl", owner = Manager });

        var manager = await s.SignInAsync(Manager);
        await manager.GotoAsync(s.Url("/board?pipeline=default"));
        await Expect(manager.Locator("#totals-lead .total-count")).ToHaveTextAsync("3");
        await Expect(manager.Locator("#totals-mql .total-count")).ToHaveTextAsync("0");

        var rep = await s.SignInAsync(Rep);
        await rep.GotoAsync(s.Url("/board"));
        // A rep sees their own cards by default.
        await Expect(rep.Locator("#column-lead .board-card")).ToHaveCountAsync(2);
        await Expect(rep.Locator("#board")).Not.ToContainTextAsync("Carl");

        await rep.Locator($"#card-{ada}").DragToAsync(rep.Locator("#column-mql"));
        await Expect(rep.Locator(".flash")).ToContainTextAsync("Moved ada@example.com to Marketing qualified");
        await Expect(rep.Locator($"#column-mql #card-{ada}")).ToBeVisibleAsync();

        // The keyboard way: the card's own Move form.
        await rep.Locator($"#card-{bob} summary").FocusAsync();
        await rep.Keyboard.PressAsync("Enter");
        await rep.Locator($"#stage-{bob}").SelectOptionAsync("mql");
        await rep.Locator($"#card-{bob} button[type=submit]").PressAsync("Enter"); // focus the Move button, press Enter
        await Expect(rep.Locator($"#column-mql #card-{bob}")).ToBeVisibleAsync();

        foreach (var id in new[] { ada, bob })
        {
            var move = (await s.App.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "stage_changed")!["data"]!;
            Assert.Equal(("lead", "mql", "admin"), (move["from"]!.GetValue<string>(), move["to"]!.GetValue<string>(), move["cause"]!.GetValue<string>()));
        }

        await manager.ReloadAsync();
        await Expect(manager.Locator("#totals-lead .total-count")).ToHaveTextAsync("1");
        await Expect(manager.Locator("#totals-mql .total-count")).ToHaveTextAsync("2");
        await Expect(manager.Locator("#totals-mql .total-amount")).ToHaveTextAsync("4,000");
        await Expect(manager.Locator("#totals-mql .total-weighted")).ToHaveTextAsync("800"); // 20 %
        await s.ScreenshotAsync(manager, "board");
    }

    [Fact]
    public async Task ADealBoard_RefusesALostMoveWithoutAReason_AndTakesItWithOne()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var api = s.App.Api();
        (await api.PutAsJsonAsync("/api/v1/pipelines/b2b", JsonNode.Parse("""
            { "name": "B2B deals", "object": "deal", "stages": [
              { "key": "qualified", "name": "Qualified", "probability": 20, "kind": "open" },
              { "key": "won", "name": "Won", "probability": 100, "kind": "won" },
              { "key": "lost", "name": "Lost", "probability": 0, "kind": "lost" } ] }
            """))).EnsureSuccessStatusCode();
        var lead = (await s.App.CreateLeadAsync(new { email = "dora@example.com" }))["id"]!.GetValue<string>();
        var deal = await api.PostAsJsonAsync("/api/v1/deals", new { name = "Dora's deal", leadId = lead, pipeline = "b2b", amount = 5000 });
        var id = (await deal.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);
        await page.GotoAsync(s.Url("/board?pipeline=b2b"));
        await Expect(page.Locator("#totals-qualified .total-weighted")).ToHaveTextAsync("1,000");
        await page.ClickAsync($"#card-{id} summary");
        await page.SelectOptionAsync($"#stage-{id}", "lost");
        await page.ClickAsync($"#card-{id} button[type=submit]");
        await Expect(page.Locator("#board-error")).ToContainTextAsync("lostReason");
        await Expect(page.Locator($"#column-qualified #card-{id}")).ToBeVisibleAsync();

        await page.ClickAsync($"#card-{id} summary");
        await page.SelectOptionAsync($"#stage-{id}", "lost");
        await page.FillAsync($"#reason-{id}", "budget cut");
        await page.ClickAsync($"#card-{id} button[type=submit]");
        await Expect(page.Locator($"#column-lost #card-{id}")).ToBeVisibleAsync();
        var row = (await s.App.TimelineAsync(lead)).First(e => e!["kind"]!.GetValue<string>() == "deal_stage_changed")!["data"]!;
        Assert.Equal(("lost", "admin", "budget cut"), (row["to"]!.GetValue<string>(), row["cause"]!.GetValue<string>(), row["lostReason"]!.GetValue<string>()));

        await page.GotoAsync(s.Url("/reports"));
        await page.ClickAsync("#sales-report-link");
        await Expect(page.Locator("#kpi-win-rate")).ToHaveTextAsync("0 %");
        await Expect(page.Locator("#sales-lost")).ToContainTextAsync("budget cut");
        var csv = await page.APIRequest.GetAsync(s.Url("/reports/sales?handler=csv&pipeline=b2b"));
        Assert.Contains("lostReason,\"budget cut\",1", await csv.TextAsync());
    }
}
