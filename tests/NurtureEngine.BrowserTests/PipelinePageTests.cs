using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// The pipeline page says what is wrong in the page's words: stages by their number and column, keys explained, no
/// field names of the API ("moveLeadsTo", "stages[1].key", "slug"); a refused save stores nothing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PipelinePageTests(BrowserFixture browser)
{
    private static readonly string[] ApiWords = ["moveLeadsTo", "stages[", "slug", "recycleTo"];

    private static async Task AssertNoApiWordsAsync(Microsoft.Playwright.IPage page)
    {
        var text = await page.Locator("main, body").First.InnerTextAsync();
        foreach (var word in ApiWords) Assert.DoesNotContain(word, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(375)]
    public async Task StageErrors_AreNamedByStageAndColumn_InWords_AndNothingIsStored(int width)
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, width, 800);
        var before = await s.App.Api().GetStringAsync("/api/v1/pipelines");
        await page.GotoAsync(s.Url("/pipelines?key=default"));

        await page.FillAsync("input[aria-label='key of stage 2']", "Marketing Qualified");
        await page.FillAsync("input[aria-label='key of stage 3']", "lead");
        // The field stops 150 as it is typed; sent anyway (an old tab, a script) the page names it.
        await page.Locator("input[aria-label='probability of stage 4']").EvaluateAsync("e => { e.removeAttribute('max'); e.value = '150'; }");
        await page.ClickAsync("#save-pipeline");

        var errors = page.Locator("ul.errors li");
        await Expect(errors).ToContainTextAsync([
            "Stage 2 key: use lowercase letters, digits and dashes only, like partner-deals",
            "Stage 3 key: 'lead' appears twice",
            "Stage 4 win probability: must be between 0 and 100",
        ]);
        await Expect(page.Locator("input[aria-label='key of stage 2']")).ToHaveValueAsync("Marketing Qualified"); // nothing typed is lost
        await AssertNoApiWordsAsync(page);
        await AdminSession.AssertFitsAsync(page, width);
        Assert.Equal(before, await s.App.Api().GetStringAsync("/api/v1/pipelines"));
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task RemovingAStageThatHoldsLeads_NamesTheStage_AndOffersWhereToMoveThem_InWords()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        var lead = await s.App.CreateLeadAsync(new { email = "waiting@example.com", stage = "opportunity" });
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, 375, 800);
        await page.GotoAsync(s.Url("/pipelines?key=default"));

        await page.ClickAsync("tr[data-stage=opportunity] button[title=Remove]");
        await Expect(page.Locator("tr[data-stage=opportunity]")).ToHaveCountAsync(0);
        await page.ClickAsync("#save-pipeline");

        await Expect(page.Locator("#occupied")).ToContainTextAsync("1 lead(s) are still in Opportunity, which you removed. Choose a stage to move them to, then save again.");
        await Expect(page.Locator("#occupied label")).ToHaveTextAsync("Move those leads to");
        await AssertNoApiWordsAsync(page);
        await AdminSession.AssertFitsAsync(page, 375);
        Assert.Equal("opportunity", (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{lead["id"]}"))!["stage"]!.GetValue<string>());

        await page.SelectOptionAsync("#move-to", new Microsoft.Playwright.SelectOptionValue { Label = "Sales qualified" });
        await page.ClickAsync("#save-pipeline");
        await Expect(page.Locator(".flash")).ToHaveTextAsync("Pipeline Sales pipeline saved.");
        await Expect(page.Locator("tr[data-stage=opportunity]")).ToHaveCountAsync(0);
        Assert.Equal("sql", (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{lead["id"]}"))!["stage"]!.GetValue<string>());
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task ANewPipelineKeyThatIsNotASlug_IsStoppedByTheBrowser_AndSentAnywayIsExplained()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, 1366, 800);
        await page.GotoAsync(s.Url("/pipelines"));
        await page.FillAsync("#new-key", "Partner Deals");
        Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('new-key').validity.patternMismatch"));

        await page.GotoAsync(s.Url("/pipelines?key=Partner%20Deals"));
        await Expect(page.Locator("ul.errors")).ToHaveTextAsync("Key: use lowercase letters, digits and dashes only, like partner-deals");
        await Expect(page.Locator("#pipeline")).ToHaveCountAsync(0); // nothing to save under a key that cannot be stored
        await AssertNoApiWordsAsync(page);
        var keys = (await s.App.Api().GetFromJsonAsync<JsonArray>("/api/v1/pipelines"))!.Select(p => p!["key"]!.GetValue<string>());
        Assert.DoesNotContain("Partner Deals", keys);
    }
}
