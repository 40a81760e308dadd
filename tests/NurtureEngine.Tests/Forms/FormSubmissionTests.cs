using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Forms;

/// <summary>The public form: hosted page, submissions without double opt-in, field errors, bots, CORS, escaping.</summary>
[Collection(AppCollection.Name)]
public sealed class FormSubmissionTests
{
    [Fact]
    public async Task ASubmission_UpsertsTheLead_RecordsFormSubmittedAndTheConsent_AndNeverChangesOwnerOrResubscribes()
    {
        await using var app = await NurtureApp.StartAsync(FormTestKit.NoFillTime);
        await app.QuietDemoSequencesAsync();
        await FormTestKit.PutFormAsync(app, "contact", FormTestKit.Ebook(doubleOptIn: false, redirectUrl: "https://www.example.com/thanks"));
        var browser = app.Anonymous();

        var page = await browser.GetAsync("/f/contact");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<label for=\"nf-contact-0\">Work email", html);
        Assert.Contains("name=\"viewport\"", html);
        Assert.Contains("I agree to receive the e-book", html);

        var email = NurtureApp.UniqueEmail("form");
        var sent = await FormTestKit.PostAsBrowserAsync(browser, "contact", ("email", email), ("firstName", "Ada"), ("attributes.industry", "software"),
            ("attributes.newsletter", "on"));
        // A gated asset and a redirect: the download page first (a redirect must not cost the lead its e-book), then on.
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var thanks = await sent.Content.ReadAsStringAsync();
        Assert.Contains("<a href=\"https://cdn.example.com/ebook.pdf\" download>Download the e-book</a>", thanks);
        Assert.Contains("<a href=\"https://www.example.com/thanks\" class=\"nf-continue\">Continue</a>", thanks);
        var id = await FormTestKit.LeadIdAsync(app, email);
        var lead = await FormTestKit.LeadAsync(app, id);
        Assert.Equal("Ada", lead["firstName"]!.GetValue<string>());
        Assert.Equal("software", lead["attributes"]!["industry"]!.GetValue<string>());
        Assert.True(lead["attributes"]!["newsletter"]!.GetValue<bool>());
        Assert.Contains("ebook", lead["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("ebook-form", lead["source"]!.GetValue<string>());
        Assert.Equal("subscribed", lead["status"]!.GetValue<string>());
        var submitted = (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "form_submitted")!;
        Assert.Equal("contact", submitted["data"]!["form"]!.GetValue<string>());
        Assert.Equal("software", submitted["data"]!["fields"]!["attributes.industry"]!.GetValue<string>());
        Assert.Contains("/f/contact", submitted["data"]!["pageUrl"]?.GetValue<string>() ?? "/f/contact");

        var export = (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}/export"))!;
        var consent = export["consents"]!.AsArray().Single()!;
        Assert.Equal("I agree to receive the e-book and occasional product news from Demo Ltd.", consent["consentText"]!.GetValue<string>());
        Assert.Equal("contact", consent["form"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(consent["submittedAt"]!.GetValue<string>()));

        // An existing lead with an owner, who has unsubscribed: the form fills in fields, keeps the owner, and does not resubscribe.
        var known = NurtureApp.UniqueEmail("known");
        var knownId = (await app.CreateLeadAsync(new { email = known, owner = "rep@nurture.test", firstName = "Old" }))["id"]!.GetValue<string>();
        app.Db(db => db.Database.ExecuteSql($"UPDATE nurture.lead SET status = 'Unsubscribed' WHERE id = {Guid.Parse(knownId)}"));
        var json = await browser.PostAsJsonAsync("/f/contact", new { email = known.ToUpperInvariant(), firstName = "New", owner = "thief@evil.example" });
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("submitted", (await json.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.GetValue<string>());
        var after = await FormTestKit.LeadAsync(app, knownId);
        Assert.Equal("New", after["firstName"]!.GetValue<string>());
        Assert.Equal("rep@nurture.test", after["owner"]!.GetValue<string>());
        Assert.Equal("unsubscribed", after["status"]!.GetValue<string>());
        Assert.Equal(1, FormTestKit.LeadCount(app, known));
    }

    [Fact]
    public async Task ABadSubmission_GetsTheFormBackWithEachFieldsError_Or422ProblemJson_AndStoresNothing_AndTextIsEscaped()
    {
        await using var app = await NurtureApp.StartAsync(FormTestKit.NoFillTime);
        var definition = FormTestKit.Ebook(doubleOptIn: false);
        definition["fields"]![1]!["label"] = "<script>alert('label')</script>";
        await FormTestKit.PutFormAsync(app, "contact", definition);
        var browser = app.Anonymous();

        var xss = "\"><img src=x onerror=alert(1)>";
        var page = await FormTestKit.PostAsBrowserAsync(browser, "contact", ("email", "not-an-email"), ("firstName", xss), ("attributes.industry", "weapons"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("aria-invalid=\"true\" aria-describedby=\"nf-contact-0-error\"", html);
        Assert.Contains("id=\"nf-contact-0-error\"", html);
        Assert.Contains("must be a valid email address", html);
        Assert.Contains("aria-describedby=\"nf-contact-2-error\"", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"", html); // the value is kept, as text

        var json = await browser.PostAsJsonAsync("/f/contact", new { email = "", attributes = new { industry = "weapons" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType!.MediaType);
        var errors = (await json.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("email", errors.Select(e => e.Key));
        Assert.Contains("attributes.industry", errors.Select(e => e.Key));
        var nul = await browser.PostAsync("/f/contact", new StringContent("{\"email\":\"a@example.com\",\"firstName\":\"a\\u0000b\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nul.StatusCode);
        Assert.Contains("firstName", (await nul.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));

        // A stored XSS value is shown as text on the lead's timeline data and in the admin (escaped by Razor); here, the API keeps it verbatim.
        var stored = NurtureApp.UniqueEmail("xss");
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/f/contact", new { email = stored, firstName = xss })).StatusCode);
        Assert.Equal(xss, (await FormTestKit.LeadAsync(app, await FormTestKit.LeadIdAsync(app, stored)))["firstName"]!.GetValue<string>());
        Assert.Equal(1, app.Db(db => db.Leads.Count(l => l.Source == "ebook-form")));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/f/unknown-form")).StatusCode);
    }

    [Fact]
    public async Task TheRedirect_IsOnlyEverTheStoredHttpsUrl_NeverOneTheRequestNames()
    {
        await using var app = await NurtureApp.StartAsync(FormTestKit.NoFillTime);
        await app.QuietDemoSequencesAsync();
        JsonObject Form(bool doubleOptIn, string? redirect)
        {
            var d = FormTestKit.Ebook(doubleOptIn, redirect);
            d["asset"] = null;
            return d;
        }
        await FormTestKit.PutFormAsync(app, "direct", Form(doubleOptIn: false, "https://www.example.com/thanks"));
        await FormTestKit.PutFormAsync(app, "none", Form(doubleOptIn: false, null));
        await FormTestKit.PutFormAsync(app, "doi", Form(doubleOptIn: true, "https://www.example.com/thanks"));
        var browser = app.Anonymous();
        const string evil = "https://evil.example/phish";
        (string, string)[] Lure(string email) => [("email", email), ("redirectUrl", evil), ("returnUrl", evil), ("next", evil), ("redirect", evil)];

        async Task<HttpResponseMessage> PostWithQuery(string key, string email)
        {
            var stamp = await FormTestKit.StampAsync(browser, key);
            var fields = Lure(email).Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)).Append(new("_ts", stamp));
            return await browser.PostAsync($"/f/{key}?redirectUrl={Uri.EscapeDataString(evil)}&returnUrl={Uri.EscapeDataString(evil)}", new FormUrlEncodedContent(fields));
        }
        var direct = await PostWithQuery("direct", NurtureApp.UniqueEmail("lure"));
        Assert.Equal(HttpStatusCode.Redirect, direct.StatusCode);
        Assert.Equal("https://www.example.com/thanks", direct.Headers.Location!.ToString());
        var none = await PostWithQuery("none", NurtureApp.UniqueEmail("lure"));
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Null(none.Headers.Location);
        Assert.DoesNotContain("evil.example", await none.Content.ReadAsStringAsync());
        var json = await browser.PostAsJsonAsync("/f/none", new { email = NurtureApp.UniqueEmail("lure"), redirectUrl = evil });
        Assert.Null((await json.Content.ReadFromJsonAsync<JsonObject>())!["redirectUrl"]);

        // The confirmation link goes to the form's redirect, whatever is added to it.
        var email = NurtureApp.UniqueEmail("lure");
        Assert.Equal(HttpStatusCode.OK, (await PostWithQuery("doi", email)).StatusCode);
        var path = FormTestKit.ConfirmPath((await MailSink.WaitForAsync(email)).Single().Message);
        var confirmed = await browser.GetAsync($"{path}?redirectUrl={Uri.EscapeDataString(evil)}&next={Uri.EscapeDataString(evil)}");
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal("https://www.example.com/thanks", confirmed.Headers.Location!.ToString());

        // And the stored one is an absolute https URL: no scheme-relative, backslash, plain-http or script target is accepted.
        foreach (var target in new[] { "//evil.example/x", "/\\evil.example", "http://evil.example/x", "javascript:alert(1)", "/thanks" })
        {
            var refused = await app.Api().PutAsJsonAsync("/api/v1/forms/direct", Form(doubleOptIn: false, target));
            Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{target}: {(int)refused.StatusCode}");
        }
        Assert.Equal("https://www.example.com/thanks", (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/forms/direct"))!["redirectUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bots_AreRefused_HoneypotTooFastAndFlood_AndStoreNothing()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["RateLimits:FormSubmitsPerIpPerMinute"] = "6" }, clock);
        await FormTestKit.PutFormAsync(app, "contact", FormTestKit.Ebook(doubleOptIn: false));
        var browser = app.Anonymous();
        var stamp = FormTestKit.Stamp(await browser.GetStringAsync("/f/contact"));
        FormUrlEncodedContent Form(string email, string honeypot = "", string? ts = null) => new([new("email", email), new("website", honeypot), new("_ts", ts ?? stamp)]);

        var tooFast = await browser.PostAsync("/f/contact", Form("fast@example.com"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooFast.StatusCode);
        Assert.Contains("could not be accepted", await tooFast.Content.ReadAsStringAsync());
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await browser.PostAsync("/f/contact", Form("honey@example.com", honeypot: "http://spam.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await browser.PostAsync("/f/contact", Form("forged@example.com", ts: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))).StatusCode);
        // Without the stamp every rendered form carries: a script posting straight at the endpoint (it never sees the honeypot).
        var noStamp = await browser.PostAsJsonAsync("/f/contact", new { email = "nostamp@example.com" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noStamp.StatusCode);
        Assert.Contains("_ts", (await noStamp.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        var human = await browser.PostAsync("/f/contact", Form("human@example.com"));
        Assert.Equal(HttpStatusCode.OK, human.StatusCode);
        Assert.Contains("Download the e-book", await human.Content.ReadAsStringAsync());

        // The sixth attempt this minute from this IP is still counted; the seventh and after are refused, nothing stored.
        var flood = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) flood.Add((await browser.PostAsync("/f/contact", Form($"flood{i}@example.com"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, flood[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, flood[^2]);
        foreach (var email in new[] { "fast@example.com", "honey@example.com", "forged@example.com", "nostamp@example.com", "flood2@example.com", "flood3@example.com" })
            Assert.Equal(0, FormTestKit.LeadCount(app, email));
        Assert.Equal(1, FormTestKit.LeadCount(app, "human@example.com"));
        Assert.Equal(2, app.Db(db => db.Set<NurtureEngine.Forms.FormSubmission>().Count())); // human, flood0
    }

    [Fact]
    public async Task OnlyAllowedOrigins_MaySubmit_PreflightToo_AndTheEmbedScriptRendersTheSameForm()
    {
        await using var app = await NurtureApp.StartAsync(FormTestKit.NoFillTime);
        await FormTestKit.PutFormAsync(app, "contact", FormTestKit.Ebook(doubleOptIn: false));
        var client = app.Anonymous();

        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/f/contact");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type");
            return await client.SendAsync(request);
        }
        var allowed = await Preflight("https://www.example.com");
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://www.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var refusedPreflight = await Preflight("https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, refusedPreflight.StatusCode);
        Assert.False(refusedPreflight.Headers.Contains("Access-Control-Allow-Origin"));

        async Task<HttpResponseMessage> Post(string origin, string email)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/f/contact") { Content = JsonContent.Create(new { email }) };
            request.Headers.Add("Origin", origin);
            return await client.SendAsync(request);
        }
        var ok = await Post("https://www.example.com", "cors-ok@example.com");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("https://www.example.com", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var evil = await Post("https://evil.example", "cors-evil@example.com");
        Assert.Equal(HttpStatusCode.Forbidden, evil.StatusCode);
        Assert.False(evil.Headers.Contains("Access-Control-Allow-Origin"));
        var evilForm = new HttpRequestMessage(HttpMethod.Post, "/f/contact") { Content = new FormUrlEncodedContent([new("email", "cors-form@example.com")]) };
        evilForm.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(evilForm)).StatusCode);
        Assert.Equal(0, FormTestKit.LeadCount(app, "cors-evil@example.com"));
        Assert.Equal(0, FormTestKit.LeadCount(app, "cors-form@example.com"));
        Assert.Equal(1, FormTestKit.LeadCount(app, "cors-ok@example.com"));

        var script = await client.GetAsync("/f/contact/embed.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        var js = await script.Content.ReadAsStringAsync();
        Assert.Contains("Work email", js);
        Assert.Contains("http://localhost/f/contact", js);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/f/nope/embed.js")).StatusCode);
    }
}
