using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NurtureEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed partial class AdminFlowTests(BrowserFixture browser)
{
    private const string Marketer = "marketer@nurture.test", Rep = "rep@nurture.test";

    [Fact]
    public async Task SignIn_Works_AndAWrongPasswordIsRefused()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.OpenAsync("visitor");
        await page.GotoAsync(s.Url("/leads"));
        Assert.Contains("/account/login", page.Url);
        await page.FillAsync("#email", AdminSession.AdminEmail);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("[role=alert]")).ToContainTextAsync("Wrong email or password");

        var admin = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);
        await Expect(admin.Locator("h1")).ToHaveTextAsync("Dashboard");
        await Expect(admin.Locator("nav")).ToContainTextAsync("Users");
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task Marketer_BuildsTemplateAndSequence_LeadReceivesIt_RepSeesEmailAndClick_AndTicksOffTask()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var admin = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);

        // The admin adds the team through the Users page.
        foreach (var (email, role) in new[] { (Marketer, "Marketer"), (Rep, "SalesRep") })
        {
            await admin.GotoAsync(s.Url("/users"));
            await admin.FillAsync("#email", email);
            await admin.FillAsync("#password", AdminSession.Password);
            await admin.SelectOptionAsync("#role", role);
            await admin.ClickAsync("form button[type=submit]:has-text('Add user')");
            await Expect(admin.Locator(".flash")).ToContainTextAsync($"{email} can now sign in as {role}");
        }

        // A template with a deliberate error: shown at its line, nothing saved.
        var marketer = await s.SignInAsync(Marketer);
        await marketer.GotoAsync(s.Url("/templates"));
        await marketer.FillAsync("#key", "browser-welcome");
        await marketer.ClickAsync("button:has-text('Create')");
        await Expect(marketer.Locator("#visual-editor[data-ready=true]")).ToHaveCountAsync(1);
        await marketer.ClickAsync("#tab-code");
        await marketer.FillAsync("#subject", "Welcome {{ lead.first_name }}");
        await marketer.FillAsync("#html", "<p>Hello,</p>\n<p>Hi {{ lead.first_name | }}</p>\n<p><a href=\"https://example.com/pricing\">See pricing</a></p>");
        await marketer.ClickAsync("button:has-text('Save new version')");
        await Expect(marketer.Locator("#parse-errors")).ToContainTextAsync("html, line 2");
        await s.ScreenshotAsync(marketer, "template-error");
        Assert.Null(await s.App.Db(db => Task.FromResult(db.Templates.FirstOrDefault(t => t.Key == "browser-welcome"))));

        // Fixed, previewed in both widths, saved.
        await marketer.FillAsync("#html", "<p>Hello,</p>\n<p>Hi {{ lead.first_name }}</p>\n<p><a href=\"https://example.com/pricing\">See pricing</a></p>");
        await marketer.ClickAsync("button:has-text('Check and preview')");
        await Expect(marketer.Locator("#parse-errors")).ToHaveCountAsync(0);
        await Expect(marketer.Locator("#preview-subject")).ToHaveTextAsync("Welcome Ada");
        await Expect(marketer.FrameLocator("iframe.desktop").Locator("body")).ToContainTextAsync("Hi Ada");
        await Expect(marketer.FrameLocator("iframe.mobile").Locator("body")).ToContainTextAsync("Hi Ada");
        await s.ScreenshotAsync(marketer, "template-preview");
        await marketer.ClickAsync("button:has-text('Save new version')");
        await Expect(marketer.Locator(".flash")).ToContainTextAsync("Saved as version 1");

        // A sequence on stage lead: the email, then a task for the owner. Published.
        await marketer.GotoAsync(s.Url("/sequences"));
        await marketer.FillAsync("#key", "browser-welcome");
        await marketer.ClickAsync("button:has-text('Create')");
        await marketer.SelectOptionAsync("#trigger-type", "stage_entered");
        await marketer.SelectOptionAsync("#trigger-stage", "lead");
        await marketer.SelectOptionAsync("#step-0-template", "browser-welcome");
        await marketer.SelectOptionAsync("#new-type", "task");
        await marketer.ClickAsync("button:has-text('Add step')");
        await marketer.FillAsync("#step-1-title", "Call the new lead");
        await marketer.FillAsync("#step-1-due", "PT1H");
        await marketer.ClickAsync("#publish");
        await Expect(marketer.Locator(".flash")).ToContainTextAsync("Published browser-welcome");
        await Expect(marketer.Locator("svg.flow-svg")).ToContainTextAsync("task \"Call the new lead\"");
        await marketer.ClickAsync("button:has-text('Preview impact')");
        await Expect(marketer.Locator("#impact-preview")).ToContainTextAsync("Publishing makes version 2");

        // A lead arrives through the API and receives the email (captured by the dev inbox).
        var lead = await s.App.CreateLeadAsync(new { email = "grace@example.com", firstName = "Grace", owner = Rep, stage = "lead" });
        var leadId = lead["id"]!.GetValue<string>();
        await admin.GotoAsync(s.Url("/dev/inbox"));
        await AdminSession.ReloadUntilAsync(admin, "table", "Welcome Grace");
        await admin.ClickAsync("a:has-text('Welcome Grace')");
        await Expect(admin.FrameLocator("iframe.mail").Locator("body")).ToContainTextAsync("Hi Grace");

        // The lead clicks the link in the email.
        var html = await admin.Locator("iframe.mail").GetAttributeAsync("srcdoc");
        var clickPath = ClickLink().Match(html!).Value;
        using (var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            var response = await http.GetAsync(s.Url(WebUtility.HtmlDecode(clickPath)));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("https://example.com/pricing", response.Headers.Location!.ToString());
        }

        // The rep sees the lead as theirs, the email and the click on the timeline, and the task.
        var rep = await s.SignInAsync(Rep);
        await rep.GotoAsync(s.Url("/leads"));
        await Expect(rep.Locator("tr.mine")).ToContainTextAsync("grace@example.com");
        await rep.ClickAsync("a:has-text('grace@example.com')");
        await AdminSession.ReloadUntilAsync(rep, "#timeline tr[data-kind=email_clicked] .kind", "Link clicked");
        var sent = rep.Locator("#timeline tr[data-kind=email_sent]:has-text('Email \"Welcome Grace\" sent')");
        await Expect(sent).ToHaveCountAsync(1);
        await sent.Locator("a:has-text('view email')").ClickAsync();
        await Expect(rep.Locator("#email-subject")).ToHaveTextAsync("Welcome Grace");
        await Expect(rep.FrameLocator("iframe.mail").Locator("body")).ToContainTextAsync("Hi Grace");

        await rep.GotoAsync(s.Url("/tasks"));
        await Expect(rep.Locator("tr[data-task]")).ToContainTextAsync("Call the new lead");
        await rep.Locator("tr[data-task]:has-text('Call the new lead') button:has-text('Done')").ClickAsync();
        await Expect(rep.Locator(".flash")).ToContainTextAsync("Done: Call the new lead");
        await Expect(rep.Locator("tr[data-task]")).ToHaveCountAsync(0);
        await rep.GotoAsync(s.Url($"/leads/{leadId}"));
        await Expect(rep.Locator("#timeline")).ToContainTextAsync("Task done: \"Call the new lead\" (by rep@nurture.test)");
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task SalesRep_IsRefusedTheSequenceEditor_OnEveryPageAndHandler()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Rep, "SalesRep");
        var rep = await s.SignInAsync(Rep);
        await Expect(rep.Locator("nav")).Not.ToContainTextAsync("Sequences");
        foreach (var path in new[] { "/sequences", "/sequences/welcome/edit", "/sequences/welcome/json", "/templates", "/pipelines", "/users", "/settings/api-keys" })
        {
            await rep.GotoAsync(s.Url(path));
            Assert.Contains("/account/denied", rep.Url);
            await Expect(rep.Locator("h1")).ToHaveTextAsync("Not allowed");
        }
        // A crafted POST to a builder handler is refused before it reaches the page.
        foreach (var handler in new[] { "Save", "AddStep", "Status" })
        {
            var response = await rep.Context.APIRequest.PostAsync(s.Url($"/sequences/welcome/edit?handler={handler}"), new() { MaxRedirects = 0 });
            Assert.Equal(302, response.Status);
            Assert.Contains("/account/denied", response.Headers["location"]);
        }
        await rep.GotoAsync(s.Url("/account/denied"));
    }

    [GeneratedRegex("""/t/c/[^"&]+""")]
    private static partial Regex ClickLink();
}
