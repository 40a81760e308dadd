using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Forms;

/// <summary>nurture.js and the /t/p beacon: anonymous history joined to the lead, page_viewed scoring and conditions with where, privacy signals, expiry.</summary>
[Collection(AppCollection.Name)]
public sealed class WebsiteBehaviourTests
{
    private static StringContent Beacon(string url, string visitor, string? token = null, string title = "Page") =>
        new(new JsonObject { ["url"] = url, ["title"] = title, ["referrer"] = "https://www.google.com/", ["visitor"] = visitor, ["token"] = token }.ToJsonString(),
            Encoding.UTF8, "text/plain");

    [Fact]
    public async Task AnonymousViews_JoinTheLeadOnSubmit_PricingViewsScoreToMql_ASegmentCountsThem_AndDntOrGpcRecordNothing()
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?>(FormTestKit.NoFillTime) { ["Nurture:Role"] = "web" });
        await app.QuietDemoSequencesAsync();
        (await app.Api().PutAsJsonAsync("/api/v1/scoring", JsonNode.Parse("""
            { "rules": [ { "event": "page_viewed", "where": { "path": "/pricing*" }, "points": 10 } ],
              "thresholds": [ { "pipeline": "default", "fromStage": "lead", "score": 25, "stage": "mql" } ] }
            """))).EnsureSuccessStatusCode();
        var badRule = await app.Api().PutAsJsonAsync("/api/v1/scoring", JsonNode.Parse("""{ "rules": [ { "event": "page_viewed", "where": { "path": 5 }, "points": 1 } ], "thresholds": [] }"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badRule.StatusCode);
        (await app.Api().PutAsJsonAsync("/api/v1/segments/pricing-twice", JsonNode.Parse("""
            { "name": "Visited pricing twice in 7 days", "filter": { "type": "event", "event": "page_viewed", "where": { "path": "/pricing*" }, "count": 2, "within": "P7D" } }
            """))).EnsureSuccessStatusCode();
        await FormTestKit.PutFormAsync(app, "contact", FormTestKit.Ebook(doubleOptIn: false));
        var site = app.Anonymous();
        var script = await site.GetStringAsync("/t/nurture.js");
        Assert.Contains("w.nurtureConsent !== false", script);
        Assert.Contains("globalPrivacyControl", script);
        Assert.Contains("nurture.consent = function", script);

        var visitor = Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.NoContent, (await site.PostAsync("/t/p", Beacon("https://www.example.com/blog/why", visitor, title: "Why <b>us</b>"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await site.PostAsync("/t/p", Beacon("https://www.example.com/pricing?plan=pro", visitor))).StatusCode);
        foreach (var header in new[] { "DNT", "Sec-GPC" })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/t/p") { Content = Beacon("https://www.example.com/pricing", visitor) };
            request.Headers.Add(header, "1");
            Assert.Equal(HttpStatusCode.NoContent, (await site.SendAsync(request)).StatusCode);
        }
        Assert.Equal(2, app.Db(db => db.Set<NurtureEngine.Website.AnonymousPageView>().Count(v => v.VisitorId == visitor)));
        Assert.Equal(HttpStatusCode.NoContent, (await site.PostAsync("/t/p", Beacon("javascript:alert(1)", visitor))).StatusCode);
        Assert.Equal(2, app.Db(db => db.Set<NurtureEngine.Website.AnonymousPageView>().Count(v => v.VisitorId == visitor)));

        var email = NurtureApp.UniqueEmail("visitor");
        Assert.Equal(HttpStatusCode.OK, (await site.PostAsJsonAsync("/f/contact", new { email, visitor, pageUrl = "https://www.example.com/ebook" })).StatusCode);
        var id = await FormTestKit.LeadIdAsync(app, email);
        var views = (await app.TimelineAsync(id)).Where(e => e!["kind"]!.GetValue<string>() == "page_viewed").ToList();
        Assert.Equal(2, views.Count);
        Assert.Equal("/pricing", views[0]!["data"]!["properties"]!["path"]!.GetValue<string>());
        Assert.Equal("https://www.example.com/pricing?plan=pro", views[0]!["data"]!["properties"]!["url"]!.GetValue<string>());
        Assert.Equal("/blog/why", views[1]!["data"]!["properties"]!["path"]!.GetValue<string>());
        Assert.Equal(0, app.Db(db => db.Set<NurtureEngine.Website.AnonymousPageView>().Count(v => v.VisitorId == visitor)));
        var lead = await FormTestKit.LeadAsync(app, id);
        Assert.Equal(10, lead["score"]!.GetValue<int>());
        Assert.Equal("lead", lead["stage"]!.GetValue<string>());

        // Known now: each view is a page_viewed event at once; the second and third /pricing views reach 30 ≥ 25: MQL.
        await site.PostAsync("/t/p", Beacon("https://www.example.com/pricing", visitor));
        Assert.Contains(id, await SegmentMembersAsync(app));
        await site.PostAsync("/t/p", Beacon("https://www.example.com/pricing/enterprise", visitor));
        lead = await FormTestKit.LeadAsync(app, id);
        Assert.Equal(30, lead["score"]!.GetValue<int>());
        Assert.Equal("mql", lead["stage"]!.GetValue<string>());

        // Arrival through a tracked email link: the signed visitor token identifies a new browser as the lead.
        var other = Guid.NewGuid().ToString("N");
        var token = app.Services.GetRequiredService<NurtureEngine.Forms.FormTokens>().Visitor(Guid.Parse(id), DateTimeOffset.UtcNow.AddDays(1));
        await site.PostAsync("/t/p", Beacon("https://www.example.com/features?nv=" + token, other, token));
        Assert.Equal(5, (await app.KindsAsync(id)).Count(k => k == "page_viewed"));
        await site.PostAsync("/t/p", Beacon("https://www.example.com/features", Guid.NewGuid().ToString("N"), token[..^2] + "xx"));
        Assert.Equal(5, (await app.KindsAsync(id)).Count(k => k == "page_viewed"));

        var report = (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/reports/forms"))!;
        Assert.Equal(1, report["forms"]![0]!["mqls"]!.GetValue<int>());
        Assert.Equal(1.0, report["forms"]![0]!["conversionToMql"]!.GetValue<double>()); // its one lead became an MQL
        Assert.Equal("/pricing", report["topPagesOfMqls"]![0]!["path"]!.GetValue<string>());
    }

    private static async Task<List<string>> SegmentMembersAsync(NurtureApp app) =>
        (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/segments/pricing-twice/leads"))!["items"]!.AsArray().Select(l => l!["id"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task AnonymousViews_OlderThanTheKeptDays_AreNotJoined_AndExpire()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        await FormTestKit.PutFormAsync(app, "contact", FormTestKit.Ebook(doubleOptIn: false));
        var visitor = Guid.NewGuid().ToString("N");
        await app.Anonymous().PostAsync("/t/p", Beacon("https://www.example.com/old", visitor));
        clock.Advance(TimeSpan.FromDays(31));
        await app.Anonymous().PostAsync("/t/p", Beacon("https://www.example.com/recent", visitor));
        var stamp = await FormTestKit.StampAsync(app.Anonymous(), "contact");
        clock.Advance(TimeSpan.FromMinutes(1));
        using (var scope = app.Services.CreateScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<NurtureEngine.Website.WebsiteTracker>().ExpireAsync(CancellationToken.None));
        var email = NurtureApp.UniqueEmail("late");
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsJsonAsync("/f/contact", new { email, visitor, _ts = stamp })).StatusCode);
        var paths = (await app.TimelineAsync(await FormTestKit.LeadIdAsync(app, email))).Where(e => e!["kind"]!.GetValue<string>() == "page_viewed")
            .Select(e => e!["data"]!["properties"]!["path"]!.GetValue<string>()).ToList();
        Assert.Equal(["/recent"], paths);
    }

    [Fact]
    public async Task ArrivalThroughATrackedEmailLink_IdentifiesTheVisitor_AndJoinsItsEarlierAnonymousViewsToTheLead()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?>
        {
            ["Nurture:Role"] = "web", ["Nurture:Tracking:Sites:0"] = "https://www.example.com",
        }, clock);
        await app.QuietDemoSequencesAsync();
        var tag = "link" + Guid.NewGuid().ToString("N")[..8];
        (await app.Api().PutAsJsonAsync("/api/v1/templates/site-news", new
        {
            name = "Site news", subject = "What is new",
            html = "<p><a href=\"https://www.example.com/features?from=email\">See the features</a> or <a href=\"https://elsewhere.example.org/x\">elsewhere</a></p>",
        })).EnsureSuccessStatusCode();
        var email = NurtureApp.UniqueEmail("reader");
        var id = (await app.CreateLeadAsync(new { email, tags = new[] { tag } }))["id"]!.GetValue<string>();
        (await app.Api().PutAsJsonAsync($"/api/v1/broadcasts/{tag}", new { name = "Site news", template = "site-news", filter = new { type = "has_tag", tag } })).EnsureSuccessStatusCode();
        (await app.Api().PostAsync($"/api/v1/broadcasts/{tag}/send", null)).EnsureSuccessStatusCode();
        await app.RunDueAsync();

        // The same browser (one visitor id) looked around anonymously before it clicked.
        var site = app.Anonymous();
        var visitor = Guid.NewGuid().ToString("N");
        await site.PostAsync("/t/p", Beacon("https://www.example.com/pricing", visitor));
        await site.PostAsync("/t/p", Beacon("https://www.example.com/blog/why", visitor));
        Assert.Equal(2, app.Db(db => db.Set<NurtureEngine.Website.AnonymousPageView>().Count(v => v.VisitorId == visitor)));
        Assert.DoesNotContain("page_viewed", await app.KindsAsync(id));

        // The real click redirect: the link to a tracked site carries the visitor token, any other goes where the email said.
        var html = Assert.Single(MailSink.For(email)).Message.HtmlBody!;
        var links = System.Text.RegularExpressions.Regex.Matches(html, "href=\"http://localhost(/t/c/[^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, links.Count);
        var click = await site.GetAsync(links[0]);
        Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
        var target = click.Headers.Location!.ToString();
        Assert.StartsWith("https://www.example.com/features?from=email&nv=", target);
        Assert.Equal("https://elsewhere.example.org/x", (await site.GetAsync(links[1])).Headers.Location!.ToString());

        // nurture.js on the landing page hands the token back with the visitor's id: the visitor is the lead, its history joins.
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(target).Query)["nv"];
        Assert.Equal(HttpStatusCode.NoContent, (await site.PostAsync("/t/p", Beacon(target, visitor, token))).StatusCode);
        var paths = (await app.TimelineAsync(id)).Where(e => e!["kind"]!.GetValue<string>() == "page_viewed")
            .Select(e => e!["data"]!["properties"]!["path"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["/blog/why", "/features", "/pricing"], paths);
        Assert.Equal(0, app.Db(db => db.Set<NurtureEngine.Website.AnonymousPageView>().Count(v => v.VisitorId == visitor)));

        // Later views of that browser, without a token, are the lead's at once.
        await site.PostAsync("/t/p", Beacon("https://www.example.com/contact", visitor));
        Assert.Equal(4, (await app.KindsAsync(id)).Count(k => k == "page_viewed"));
    }
}
