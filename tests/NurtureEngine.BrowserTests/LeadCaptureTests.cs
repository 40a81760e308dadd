using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NurtureEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// Lead capture end to end in Chromium: a marketer builds a form with a live preview; a static site on
/// another origin (another port) runs nurture.js and embeds the form; the visitor's anonymous page views
/// join the lead after double opt-in, the form's sequence starts and a third /pricing view makes it an MQL.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LeadCaptureTests(BrowserFixture browser)
{
    private const string Marketer = "marketer@nurture.test";

    [Fact]
    public async Task AFormBuiltInTheAdmin_EmbeddedOnAnotherOrigin_CapturesTheVisitor_WithItsHistory_ThroughDoubleOptIn()
    {
        await using var s = await AdminSession.StartAsync(browser, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1", ["Nurture:Forms:MinFillSeconds"] = "0",
        });
        await s.App.QuietDemoSequencesAsync();
        await using var site = StaticSite.Start(s.App.BaseUrl.TrimEnd('/'));
        await s.CreateUserAsync(Marketer, "Marketer");
        (await s.App.Api().PutAsJsonAsync("/api/v1/scoring", JsonNode.Parse("""
            { "rules": [ { "event": "page_viewed", "where": { "path": "/pricing*" }, "points": 10 } ],
              "thresholds": [ { "pipeline": "default", "fromStage": "lead", "score": 25, "stage": "mql" } ] }
            """))).EnsureSuccessStatusCode();
        (await s.App.Api().PutAsJsonAsync("/api/v1/sequences/ebook-follow-up", JsonNode.Parse("""
            { "name": "E-book follow-up", "trigger": { "type": "form_submitted", "form": "ebook" }, "steps": [ { "id": "hello", "type": "email", "template": "follow-up" } ] }
            """))).EnsureSuccessStatusCode();

        // The marketer builds the form; the preview follows the typing.
        var admin = await s.SignInAsync(Marketer);
        await admin.GotoAsync(s.Url("/forms"));
        await admin.ClickAsync("a:has-text('New form')");
        await admin.FillAsync("#key", "ebook");
        await admin.FillAsync("#name", "Get the e-book");
        await admin.FillAsync("input[name='Fields[0].Label']", "Your work email");
        await Expect(admin.Locator("#preview label").First).ToContainTextAsync("Your work email");
        await admin.FillAsync("#consent", "Send me the e-book and product news. <b>Unsubscribe any time.</b>");
        await admin.FillAsync("#origins", "http://evil.example");
        await admin.ClickAsync("#save");
        await Expect(admin.Locator(".error").First).ToContainTextAsync("https origin");
        await admin.FillAsync("#origins", site.Origin);
        await admin.ClickAsync("#save");
        await Expect(admin.Locator(".flash")).ToContainTextAsync("Form ebook created");
        await Expect(admin.Locator("#embed-script")).ToHaveValueAsync(new Regex("/f/ebook/embed.js"));
        Assert.Contains("&lt;b&gt;Unsubscribe", await admin.Locator("#preview").InnerHTMLAsync());

        // A visitor on the other origin: two anonymous pricing views, then the embedded form.
        var visitor = await s.OpenAsync("visitor", width: 375, height: 800);
        await visitor.GotoAsync(site.Origin + "/pricing");
        await visitor.GotoAsync(site.Origin + "/pricing/plans");
        await Eventually.GetAsync(() => Task.FromResult(AnonymousViews(s.App)), n => n == 2, what: "two anonymous page views");
        await visitor.GotoAsync(site.Origin + "/signup");
        var email = NurtureApp.UniqueEmail("visitor");
        await visitor.FillAsync("#nf-ebook-0", email);
        await visitor.ClickAsync(".nurture-form button[type=submit]");
        await Expect(visitor.Locator(".nurture-embed")).ToContainTextAsync("check your inbox");
        Assert.Empty(s.Dialogs);

        var confirmation = (await MailSink.WaitForAsync(email)).Single().Message;
        // The link is on the installation's public URL (http://localhost in tests): the same path on the test socket.
        var link = Regex.Match(confirmation.TextBody ?? "", @"https?://[^/\s]+(/c/[A-Za-z0-9_-]+)").Groups[1].Value;
        await visitor.GotoAsync(s.Url(link));
        await Expect(visitor.Locator("h1")).ToContainTextAsync("confirmed");
        var id = (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads?email={Uri.EscapeDataString(email)}"))!["items"]![0]!["id"]!.GetValue<string>();
        var lead = (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;
        Assert.Equal("subscribed", lead["status"]!.GetValue<string>());
        Assert.Equal(20, lead["score"]!.GetValue<int>());
        var kinds = await s.App.KindsAsync(id);
        Assert.Equal(2, kinds.Count(k => k == "page_viewed"));
        Assert.Contains("enrolled", kinds.SkipWhile(k => k != "consent_confirmed"));
        await MailSink.WaitForAsync(email, count: 2); // the form's sequence email

        // The third pricing view scores and makes the lead an MQL.
        await visitor.GotoAsync(site.Origin + "/pricing");
        await Eventually.GetAsync(async () => (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!["stage"]!.GetValue<string>(),
            stage => stage == "mql", what: "the lead becomes an MQL");

        // The lead page shows the consent record.
        await admin.GotoAsync(s.Url($"/leads/{id}"));
        await Expect(admin.Locator("#consents")).ToContainTextAsync("Send me the e-book and product news.");

        // The hosted page at 375 px, without JavaScript: no sideways scrolling; an error is tied to its field.
        await using var noScript = await browser.Browser.NewContextAsync(new Microsoft.Playwright.BrowserNewContextOptions
            { ViewportSize = new() { Width = 375, Height = 800 }, JavaScriptEnabled = false });
        var phone = await noScript.NewPageAsync();
        await phone.GotoAsync(s.Url("/f/ebook"));
        var box = await phone.Locator("form.nurture-form").BoundingBoxAsync();
        Assert.True(box is { X: >= 0 } && box.X + box.Width <= 375, $"the form is {box?.Width} px wide at x {box?.X} on a 375 px screen");
        await phone.FillAsync("#nf-ebook-0", "not-an-email");
        await phone.ClickAsync("button[type=submit]");
        await Expect(phone.Locator("#nf-ebook-0")).ToHaveAttributeAsync("aria-describedby", "nf-ebook-0-error");
        await Expect(phone.Locator("#nf-ebook-0-error")).ToContainTextAsync("valid email address");

        // Without consent the same page records nothing, until the site's banner calls nurture.consent(true).
        var refuser = await s.OpenAsync("refuser");
        await refuser.GotoAsync(site.Origin + "/pricing?consent=no");
        Assert.True(await refuser.EvaluateAsync<bool>("() => window.nurture.visitor === undefined && window.nurtureConsent === false && !document.cookie.includes('nurture_vid')"));
        Assert.Equal(0, AnonymousViews(s.App));
        await refuser.EvaluateAsync("() => window.nurture.consent(true)");
        await Eventually.GetAsync(() => Task.FromResult(AnonymousViews(s.App)), n => n == 1, what: "the view recorded once consent is given");
        // Withdrawn: the visitor id is deleted, and later pages stay quiet even where the site does not say so.
        await refuser.EvaluateAsync("() => window.nurture.consent(false)");
        Assert.False(await refuser.EvaluateAsync<bool>("() => document.cookie.includes('nurture_vid')"));
        await refuser.GotoAsync(site.Origin + "/pricing");
        Assert.True(await refuser.EvaluateAsync<bool>("() => window.nurture.visitor === undefined && !document.cookie.includes('nurture_vid')"));
        await refuser.EvaluateAsync("() => window.nurture.consent(true)"); // and agreeing again counts again, as a new visitor
        await Eventually.GetAsync(() => Task.FromResult(AnonymousViews(s.App)), n => n == 2, what: "the view after consent was given again");
    }

    [Fact]
    public async Task TheHostedForm_WorksWithTheKeyboardAlone_WithoutJavaScript_ErrorsTiedToTheirFields()
    {
        await using var s = await AdminSession.StartAsync(browser, new Dictionary<string, string?> { ["Nurture:Forms:MinFillSeconds"] = "0" });
        (await s.App.Api().PutAsJsonAsync("/api/v1/forms/kb", JsonNode.Parse("""
            { "name": "Talk to sales", "doubleOptIn": false, "consentText": "We reply within a day.",
              "fields": [ { "name": "email", "label": "Work email", "type": "email", "required": true },
                          { "name": "firstName", "label": "First name", "type": "text" },
                          { "name": "attributes.industry", "label": "Industry", "type": "select", "options": [ "software", "manufacturing" ] },
                          { "name": "attributes.newsletter", "label": "Send me the newsletter", "type": "checkbox" } ] }
            """))).EnsureSuccessStatusCode();
        await using var context = await browser.Browser.NewContextAsync(new Microsoft.Playwright.BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(s.Url("/f/kb"));
        async Task<string> Focused() => await page.EvaluateAsync<string>("() => document.activeElement.id || document.activeElement.tagName");

        // Tab visits every field in order, never the honeypot, then the button; each stop is filled with keys only.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("nf-kb-0", await Focused());
        await page.Keyboard.TypeAsync("not-an-email");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("nf-kb-1", await Focused());
        await page.Keyboard.TypeAsync("Ada");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("nf-kb-2", await Focused());
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("nf-kb-3", await Focused());
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("BUTTON", await Focused());

        // Enter in a field submits; the answer comes back with the summary focused and the error tied to its field.
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Shift+Tab");
        Assert.Equal("nf-kb-1", await Focused());
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".nf-summary")).ToBeFocusedAsync();
        var email = page.Locator("#nf-kb-0");
        await Expect(email).ToHaveAttributeAsync("aria-invalid", "true");
        var described = await email.GetAttributeAsync("aria-describedby");
        await Expect(page.Locator($"#{described}")).ToContainTextAsync("valid email address");
        await Expect(page.Locator("#nf-kb-1")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#nf-kb-1")).ToHaveValueAsync("Ada");
        await Expect(page.Locator("#nf-kb-2")).ToHaveValueAsync("software");
        await Expect(page.Locator("#nf-kb-3")).ToBeCheckedAsync();

        // From the summary, Tab reaches the field to correct; Enter sends it.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("nf-kb-0", await Focused());
        var address = NurtureApp.UniqueEmail("keyboard");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync(address);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Thank you");
        var lead = (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads?email={Uri.EscapeDataString(address)}"))!["items"]![0]!;
        Assert.Equal("Ada", lead["firstName"]!.GetValue<string>());
        Assert.Equal("software", lead["attributes"]!["industry"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFormSavedInTheBuilder_KeepsWhatTheApiSet_AndItsPlainHtmlCode_PastedOnAnotherSite_HidesTheHoneypot_AndJoinsTheVisitor()
    {
        await using var s = await AdminSession.StartAsync(browser, new Dictionary<string, string?> { ["Nurture:Forms:MinFillSeconds"] = "0" });
        await s.App.QuietDemoSequencesAsync();
        await using var site = StaticSite.Start(s.App.BaseUrl.TrimEnd('/'));
        await s.CreateUserAsync(Marketer, "Marketer");
        (await s.App.Api().PutAsJsonAsync("/api/v1/forms/guide", JsonNode.Parse($$"""
            { "name": "The pricing guide", "doubleOptIn": false, "pipeline": "default", "stage": "lead", "submitLabel": "Send me the guide",
              "fields": [ { "name": "email", "label": "Work email", "type": "email", "required": true },
                          { "name": "attributes.campaign", "type": "hidden", "value": "spring-launch" } ],
              "asset": { "url": "https://cdn.example.com/guide.pdf", "label": "Get the PDF" }, "allowedOrigins": [ "{{site.Origin}}" ] }
            """))).EnsureSuccessStatusCode();

        // The marketer renames the form in the builder: what the builder shows is what it saves back.
        var admin = await s.SignInAsync(Marketer);
        await admin.GotoAsync(s.Url("/forms/edit/guide"));
        await Expect(admin.Locator("#pipeline")).ToHaveValueAsync("default");
        await Expect(admin.Locator("#asset-label")).ToHaveValueAsync("Get the PDF");
        await Expect(admin.Locator("#submit-label")).ToHaveValueAsync("Send me the guide");
        await Expect(admin.Locator("input[name='Fields[1].Value']")).ToHaveValueAsync("spring-launch");
        await Expect(admin.Locator("#preview button")).ToHaveTextAsync("Send me the guide");
        await admin.FillAsync("#name", "The 2027 pricing guide");
        await admin.ClickAsync("#save");
        await Expect(admin.Locator(".flash")).ToContainTextAsync("Form guide saved");
        var saved = (await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/forms/guide"))!;
        Assert.Equal("The 2027 pricing guide", saved["name"]!.GetValue<string>());
        Assert.Equal("default", saved["pipeline"]!.GetValue<string>());
        Assert.Equal("Send me the guide", saved["submitLabel"]!.GetValue<string>());
        Assert.Equal("Get the PDF", saved["asset"]!["label"]!.GetValue<string>());
        Assert.Equal("spring-launch", saved["fields"]![1]!["value"]!.GetValue<string>());

        // The plain HTML code, pasted into a page of the site that runs nurture.js (the installation's public URL
        // is http://localhost in tests: the same paths on the test socket).
        var plain = (await admin.Locator("#embed-html").InputValueAsync()).Replace(NurtureApp.PublicBaseUrl, s.App.BaseUrl.TrimEnd('/'));
        site.Pages["/guide"] = $"<!DOCTYPE html><html><head><title>Guide</title><script src=\"{s.App.BaseUrl.TrimEnd('/')}/t/nurture.js\" async></script></head><body><h1>Pricing guide</h1>{plain}</body></html>";
        var visitor = await s.OpenAsync("visitor");
        await visitor.GotoAsync(site.Origin + "/pricing");
        await visitor.GotoAsync(site.Origin + "/guide");
        await Eventually.GetAsync(() => Task.FromResult(AnonymousViews(s.App)), n => n == 2, what: "two anonymous page views");
        var trap = await visitor.Locator("input[name=website]").BoundingBoxAsync();
        Assert.True(trap is null || trap.X + trap.Width <= 0, $"the honeypot is on screen at x {trap?.X}");
        var email = NurtureApp.UniqueEmail("plain");
        await visitor.FillAsync("#nf-guide-0", email);
        await visitor.ClickAsync("button:has-text('Send me the guide')");
        await Expect(visitor.Locator("h1")).ToHaveTextAsync("Thank you");
        await Expect(visitor.Locator("a[download]")).ToHaveTextAsync("Get the PDF");

        var id = (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads?email={Uri.EscapeDataString(email)}"))!["items"]![0]!["id"]!.GetValue<string>();
        var lead = (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;
        Assert.Equal("spring-launch", lead["attributes"]!["campaign"]!.GetValue<string>());
        var timeline = await s.App.TimelineAsync(id);
        Assert.Equal(["/guide", "/pricing"], timeline.Where(e => e!["kind"]!.GetValue<string>() == "page_viewed")
            .Select(e => e!["data"]!["properties"]!["path"]!.GetValue<string>()).Order().ToList());
        Assert.Equal(site.Origin + "/guide", timeline.First(e => e!["kind"]!.GetValue<string>() == "form_submitted")!["data"]!["pageUrl"]!.GetValue<string>());

        // The forms report counts it.
        await admin.GotoAsync(s.Url("/forms"));
        var row = admin.Locator("#forms tbody tr", new() { HasText = "The 2027 pricing guide" });
        await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("1");
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("1"); // the pasted form's view, counted by its pixel
    }

    private static int AnonymousViews(NurtureApp app) => app.Db(db => db.Set<NurtureEngine.Website.AnonymousPageView>().Count());

    /// <summary>A static website on its own port (another origin): pages with nurture.js and one with the embedded form.</summary>
    private sealed class StaticSite : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;
        public string Origin { get; }
        /// <summary>Further pages by path (their whole HTML), added by a test.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, string> Pages { get; } = new();

        private StaticSite(string engine)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Origin = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Origin + "/");
            _listener.Start();
            _serving = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); } catch (Exception) { return; }
                    var path = context.Request.Url!.AbsolutePath;
                    var noConsent = context.Request.Url.Query.Contains("consent=no");
                    var body = Pages.TryGetValue(path, out var page) ? page
                        : path == "/signup"
                        ? $"<!DOCTYPE html><html><head><title>Sign up</title><meta name=viewport content='width=device-width'></head><body><h1>Get the e-book</h1><script src=\"{engine}/f/ebook/embed.js\"></script></body></html>"
                        : $"<!DOCTYPE html><html><head><title>Pricing</title>{(noConsent ? "<script>window.nurtureConsent = false;</script>" : "")}<script src=\"{engine}/t/nurture.js\" async></script></head><body><h1>{path}</h1></body></html>";
                    var bytes = Encoding.UTF8.GetBytes(body);
                    context.Response.ContentType = "text/html; charset=utf-8";
                    try
                    {
                        await context.Response.OutputStream.WriteAsync(bytes);
                        context.Response.Close();
                    }
                    catch (HttpListenerException)
                    {
                        // The browser left the page (or the test ended) before this one was written: as a real site, serve the next.
                        context.Response.Abort();
                    }
                }
            });
        }

        public static StaticSite Start(string engine) => new(engine);

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _serving;
        }
    }
}
