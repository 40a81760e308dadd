using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// Adding and moving steps in the sequence builder: with script the page stays where it is (only the step list and
/// the flow change, focus goes to the step being worked on, the draft is kept); without it the same buttons post the
/// form and the page comes back the same. The exit conditions' step pickers follow the list without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SequenceStepEditingTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddingMovingAndRemovingSteps_ChangesTheListAndTheFlow_KeepsWhatWasTyped_AndTheDraftHasIt(bool script)
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, 375, 800);
        if (!script) await page.RouteAsync("**/sequences.js*", route => route.AbortAsync());
        await page.GotoAsync(s.Url("/sequences/steps-demo/edit"));
        await page.EvaluateAsync("() => { window.samePage = true; }");
        await page.FillAsync("#name", "Steps demo");
        // An exit condition on an email of a step: its step picker, outside the step list, follows the list's changes.
        var exitStep = page.Locator("#exit-conditions .cond[data-path='exitWhen[0]'] select[aria-label='of step'] option");
        if (script)
        {
            await page.ClickAsync("#exit-conditions button:has-text('+ condition')");
            await page.Locator("#exit-conditions .cond[data-path='exitWhen[0]'] select[aria-label='condition type']").SelectOptionAsync("opened");
            await Expect(exitStep).ToHaveTextAsync(["any email", "email-1"]);
        }

        await page.SelectOptionAsync("#new-type", "wait");
        await page.ClickAsync("button:has-text('Add step')");
        await Expect(page.Locator("#step-1-id")).ToHaveValueAsync("wait-1");
        if (script) await Expect(exitStep).ToHaveTextAsync(["any email", "email-1", "wait-1"]);
        await Expect(page.Locator("label[for=step-1-id]")).ToHaveTextAsync("2. Step id");
        if (script) await Expect(page.Locator("#step-1-id")).ToBeFocusedAsync();

        await page.ClickAsync("#step-1 button[title='Move up']");
        await Expect(page.Locator("#step-0-id")).ToHaveValueAsync("wait-1");
        await Expect(page.Locator("#step-1-id")).ToHaveValueAsync("email-1");
        await Expect(page.Locator("a.flow-step").First).ToHaveAttributeAsync("data-step", "wait-1");
        if (script) await Expect(exitStep).ToHaveTextAsync(["any email", "wait-1", "email-1"]);
        if (script) await Expect(page.Locator("#step-0-id")).ToBeFocusedAsync(); // at the top, "Move up" is off: its id instead
        await Expect(page.Locator("#name")).ToHaveValueAsync("Steps demo");
        Assert.Equal(script, await page.EvaluateAsync<bool>("() => window.samePage === true"));
        await AdminSession.AssertFitsAsync(page, 375);

        // Clicks in quick succession each count, in order, each on the list the one before left.
        await page.SelectOptionAsync("#new-type", "score");
        await page.ClickAsync("button:has-text('Add step')");
        await page.SelectOptionAsync("#new-type", "exit");
        await page.ClickAsync("button:has-text('Add step')");
        await page.ClickAsync(".step[data-step='email-1'] button[title='Remove step']");
        await ExpectStepsAsync(page, "wait-1", "score-1", "exit-1");
        if (script) await Expect(exitStep).ToHaveTextAsync(["any email", "wait-1", "score-1", "exit-1"]);

        // "Save draft" (with script it waits for the step changes clicked before it) keeps the new order.
        await page.ClickAsync("#save-draft");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Draft saved");
        await page.ReloadAsync();
        await Expect(page.Locator("#draft")).ToBeVisibleAsync();
        await ExpectStepsAsync(page, "wait-1", "score-1", "exit-1");
        Assert.Empty(s.Dialogs);
    }

    private static async Task ExpectStepsAsync(IPage page, params string[] ids)
    {
        var steps = page.Locator(".step input.step-id");
        for (var i = 0; i < ids.Length; i++) await Expect(steps.Nth(i)).ToHaveValueAsync(ids[i]);
        await Expect(steps).ToHaveCountAsync(ids.Length);
    }
}
