using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Common;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// The limits of docs/API-EXTENSIONS.md as the admin pages meet them: the fields stop at the limit, and a value sent
/// over it anyway (a script, an old tab) gets a message at the field or a 422, and nothing is stored. The defects
/// that started it: a 1 MiB pipeline name and a deal value of 10^16 were accepted.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LimitPageTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(1366)]
    [InlineData(375)]
    public async Task OversizedValues_GetAMessageOrA422_AndNothingIsStored(int width)
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, width, 800);
        var api = s.App.Api();

        // A deal value of 10^16 is named at its field; the lead is not made.
        await page.GotoAsync(s.Url("/leads/new"));
        await page.FillAsync("#email", "big.deal@example.com");
        await page.FillAsync("#field-dealValue", "10000000000000000");
        await page.ClickAsync("#save-lead");
        await Expect(page.Locator(".field-error[data-field=dealValue]")).ToHaveTextAsync($"Deal value must be between 0 and {InputLimits.MaxDealValue:0}");
        Assert.Empty((await api.GetFromJsonAsync<JsonObject>("/api/v1/leads?email=big.deal@example.com"))!["items"]!.AsArray());
        await AdminSession.AssertFitsAsync(page, width);

        // A pipeline name stops at 200 characters as it is typed; 201 sent anyway is named in words, 1 MiB is a 422.
        await page.GotoAsync(s.Url("/pipelines"));
        await Expect(page.Locator("#name")).ToHaveAttributeAsync("maxlength", InputLimits.MaxNameChars.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var pipelines = await api.GetStringAsync("/api/v1/pipelines");
        await page.Locator("#name").EvaluateAsync("(e, n) => { e.removeAttribute('maxlength'); e.value = 'n'.repeat(n); }", InputLimits.MaxNameChars + 1);
        await page.ClickAsync("#save-pipeline");
        await Expect(page.Locator("ul.errors")).ToContainTextAsync($"Name: must be at most {InputLimits.MaxNameChars} characters");
        await AdminSession.AssertFitsAsync(page, width);
        await page.Locator("#name").EvaluateAsync("e => { e.removeAttribute('maxlength'); e.value = 'n'.repeat(1 << 20); }");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#save-pipeline"), r => r.Request.Method == "POST");
        Assert.Equal(422, refused.Status);
        Assert.Equal(pipelines, await api.GetStringAsync("/api/v1/pipelines"));

        // A note over 10,000 characters: the message on the lead page, nothing on its timeline.
        var lead = await s.App.CreateLeadAsync(new { email = "noted@example.com" });
        var id = lead["id"]!.GetValue<string>();
        var entries = (await s.App.TimelineAsync(id)).Count;
        await page.GotoAsync(s.Url($"/leads/{id}"));
        await page.Locator("#note-text").EvaluateAsync("(e, n) => { e.removeAttribute('maxlength'); e.value = 'x'.repeat(n); }", InputLimits.MaxNoteChars + 1);
        await page.ClickAsync("#note button");
        await Expect(page.Locator("p.error")).ToContainTextAsync("at most 10,000 characters");
        Assert.Equal(entries, (await s.App.TimelineAsync(id)).Count);
        await AdminSession.AssertFitsAsync(page, width);
        Assert.Empty(s.Dialogs);
    }
}
