using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// The sequence builder beyond emails and waits: an owner assigned by the builder (no JSON) and the
/// hand-off it makes landing on the rep's phone; a "simulate for this lead" panel; the newcomer's checklist.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SequenceBuilderTests(BrowserFixture browser)
{
    private const string Marketer = "marketer@nurture.test", Anna = "anna@nurture.test", Ben = "ben@nurture.test";
    private const int Phone = 375, Laptop = 1366;

    [Fact]
    public async Task Marketer_OnAPhone_BuildsAnAssignOwnerStep_ErrorAtTheTeam_MapByRegion_AndTheRepFindsTheHandOffOnTheirHome()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        await s.CreateUserAsync(Marketer, "Marketer");
        await s.CreateUserAsync(Anna, "SalesRep");
        await s.CreateUserAsync(Ben, "SalesRep");
        var page = await s.SignInAsync(Marketer, width: Phone, height: 800);

        await page.GotoAsync(s.Url("/sequences/hand-to-sales/edit"));
        await page.SelectOptionAsync("#trigger-type", "manual");
        await page.SelectOptionAsync("#new-type", "assign_owner");
        await page.ClickAsync("button:has-text('Add step')");
        await page.ClickAsync(".step[data-step='email-1'] button[title='Remove step']");
        var step = page.Locator(".step[data-step='assign-owner-1']");
        await Expect(step.Locator("#step-0-assign-by")).ToBeHiddenAsync(); // round robin needs no attribute

        // No team ticked: refused at the team, as step 1, and nothing is stored.
        await page.ClickAsync("#publish");
        await Expect(page.Locator(".field-error[data-field='steps[0].team']")).ToContainTextAsync("Step 1, team");
        Assert.Equal(HttpStatusCode.NotFound, (await s.App.Api().GetAsync("/api/v1/sequences/hand-to-sales")).StatusCode);

        await page.CheckAsync($"#step-0-team input[value='{Anna}']");
        await page.CheckAsync($"#step-0-team input[value='{Ben}']");
        await page.SelectOptionAsync("#step-0-assign-mode", "by");
        await page.FillAsync("#step-0-assign-by", "region");
        await page.FillAsync("#step-0-assign-map", $"emea = {Ben}\namer = {Anna}");
        await page.FillAsync("#step-0-accept-within", "4 hours");
        await page.SelectOptionAsync("#step-0-manager", Marketer);
        await page.ClickAsync("#publish");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Published hand-to-sales");

        var stored = (await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/sequences/hand-to-sales"))!["steps"]![0]!;
        Assert.Equal("assign_owner", stored["type"]!.GetValue<string>());
        Assert.Equal("attributes.region", stored["assign"]!["by"]!.GetValue<string>());
        Assert.Equal(Ben, stored["assign"]!["map"]!["emea"]!.GetValue<string>());
        Assert.Equal([Anna, Ben], stored["team"]!.AsArray().Select(t => t!.GetValue<string>()).Order());
        Assert.Equal("PT4H", stored["acceptWithin"]!.GetValue<string>());
        Assert.Equal(Marketer, stored["manager"]!.GetValue<string>());

        // The published step reads back as it was built (a save from the builder keeps the rule).
        await Expect(page.Locator("#step-0-assign-mode")).ToHaveValueAsync("by");
        await Expect(page.Locator("#step-0-accept-within")).ToHaveValueAsync("4 hours");
        await Expect(page.Locator($"#step-0-team input[value='{Ben}']")).ToBeCheckedAsync();
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= Phone);

        // An EMEA lead goes to Ben, who finds it on his phone: the hand-off and its task.
        var lead = await s.App.CreateLeadAsync(new { email = "hana@example.com", firstName = "Hana", lastName = "Hansen", attributes = new { region = "emea" } });
        (await s.App.Api().PostAsJsonAsync("/api/v1/sequences/hand-to-sales/enroll", new { leadId = lead["id"]!.GetValue<string>() })).EnsureSuccessStatusCode();
        var ben = await s.SignInAsync(Ben, width: Phone, height: 800);
        await ben.GotoAsync(s.Url("/"));
        await AdminSession.ReloadUntilAsync(ben, "#my-handoffs", "Hana Hansen");
        await Expect(ben.Locator("#my-tasks")).ToContainTextAsync("Hana Hansen");
        await Expect(ben.Locator("#my-hot-leads")).ToContainTextAsync("Hana Hansen");
        Assert.True(await ben.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= Phone);
        var anna = await s.SignInAsync(Anna, width: Phone, height: 800);
        await anna.GotoAsync(s.Url("/"));
        await Expect(anna.Locator("#my-handoffs")).Not.ToContainTextAsync("Hana");
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task Marketer_SimulatesTheSequenceForALead_SeesTheEmailsItWouldSend_AndNothingIsSentOrStored()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        await s.CreateUserAsync(Marketer, "Marketer");
        (await s.App.Api().PutAsJsonAsync("/api/v1/sequences/trial", new
        {
            name = "Trial", trigger = new { type = "manual" },
            steps = new object[]
            {
                new { id = "hello", type = "email", template = "welcome" }, new { id = "pause", type = "wait", duration = "P2D" },
                new { id = "clicked", type = "branch", @if = new { type = "clicked", step = "hello" }, then = "again", @else = "done" },
                new { id = "again", type = "email", template = "welcome" }, new { id = "done", type = "exit" },
            },
        })).EnsureSuccessStatusCode();
        var rita = await s.App.CreateLeadAsync(new { email = "rita@example.com", firstName = "Rita" });
        var page = await s.SignInAsync(Marketer, width: Laptop);
        await page.GotoAsync(s.Url("/sequences/trial/edit"));
        await Expect(page.Locator("#sim-after")).ToBeHiddenAsync(); // only asked when the lead does something

        // A made-up lead who clicks an hour in.
        await page.FillAsync("#sim-email", "nobody-yet@example.com");
        await page.SelectOptionAsync("#sim-event", "email_clicked");
        await page.FillAsync("#sim-after", "soon");
        await page.ClickAsync("#run-simulation");
        await Expect(page.Locator("#simulation-error")).ToContainTextAsync("a duration like \"3 days\"");
        await Expect(page.Locator("#sim-email")).ToHaveValueAsync("nobody-yet@example.com");
        await page.FillAsync("#sim-after", "1 hour");
        await page.ClickAsync("#run-simulation");
        await Expect(page.Locator("#simulation-note")).ToContainTextAsync("A made-up lead");
        await Expect(page.Locator("#simulation tr[data-kind=email_sent]")).ToHaveCountAsync(2); // clicked: the branch sends the second
        await Expect(page.Locator("#simulation tr[data-kind=email_sent]").First).ToContainTextAsync("Welcome");
        await Expect(page.Locator("#simulation tr[data-kind=email_clicked] .kind")).ToHaveTextAsync("Link clicked");
        Assert.Empty((await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/leads?email=nobody-yet@example.com"))!["items"]!.AsArray());

        // An existing lead: her own data in the subjects; her timeline is untouched.
        var before = (await s.App.TimelineAsync(rita["id"]!.GetValue<string>())).Count;
        await page.FillAsync("#sim-email", "rita@example.com");
        await page.SelectOptionAsync("#sim-event", "");
        await page.ClickAsync("#run-simulation");
        await Expect(page.Locator("#simulation-note")).ToContainTextAsync("This lead, as it is now");
        await Expect(page.Locator("#simulation tr[data-kind=email_sent]").First).ToContainTextAsync("Welcome, Rita!");
        await Expect(page.Locator("#simulation tr[data-kind=email_clicked]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#simulation tr[data-kind=email_sent]")).ToHaveCountAsync(1); // no click: no second email
        Assert.Equal(before, (await s.App.TimelineAsync(rita["id"]!.GetValue<string>())).Count);
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task ANewcomer_FindsAGettingStartedChecklist_SenderFormSequenceBroadcast_ThatTicksItselfOff()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, Phone, 800);
        var list = page.Locator("#getting-started");
        foreach (var item in new[] { "sender", "form", "sequence", "broadcast" }) await Expect(list.Locator($"li[data-step={item}]")).ToHaveCountAsync(1);
        await Expect(list.Locator("li[data-step=sender]")).Not.ToHaveClassAsync("done");
        await Expect(list.Locator("li[data-step=form]")).Not.ToHaveClassAsync("done");
        await Expect(list.Locator("li[data-step=broadcast] a")).ToHaveAttributeAsync("href", "/broadcasts");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= Phone);

        // Each item leads to its page; once done it is ticked.
        await list.Locator("li[data-step=sender] a").ClickAsync();
        await page.FillAsync("#sender-name", "Acme Growth Team");
        await page.FillAsync("#sender-email", "growth@acme.example");
        await page.ClickAsync("#sender button[type=submit]");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Sender saved");
        (await s.App.Api().PutAsJsonAsync("/api/v1/forms/newsletter", new { name = "Newsletter", fields = new[] { new { name = "email", type = "email" } } })).EnsureSuccessStatusCode();
        await page.GotoAsync(s.Url("/"));
        await Expect(list.Locator("li[data-step=sender]")).ToHaveClassAsync("done");
        await Expect(list.Locator("li[data-step=form]")).ToHaveClassAsync("done");
        await Expect(list.Locator("li[data-step=broadcast]")).Not.ToHaveClassAsync("done");
    }
}
