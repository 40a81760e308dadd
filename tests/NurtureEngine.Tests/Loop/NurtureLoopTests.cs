using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimeKit;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Loop;

/// <summary>The whole loop on real PostgreSQL, a real SMTP server and an in-process Hangfire server.</summary>
[Collection(AppCollection.Name)]
public sealed partial class NurtureLoopTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [GeneratedRegex("href=\"(http://localhost/t/c/[^\"]+)\"")] private static partial Regex TrackedLink();

    [Fact]
    public async Task CreatingALead_DeliversPersonalisedWelcome_WithUnsubscribeHeaders_TrackedLink_AndPixel()
    {
        var email = NurtureApp.UniqueEmail("ada");
        await _app.CreateLeadAsync(new { email, firstName = "Ada", company = "Analytical Engines" });

        var mail = (await MailSink.WaitForAsync(email)).Single().Message;

        Assert.Equal("Welcome, Ada!", mail.Subject);
        Assert.Contains("Hi Ada,", mail.HtmlBody!);
        Assert.Contains("help Analytical Engines", mail.HtmlBody!);
        Assert.Matches(@"^<http://localhost/u/[A-Za-z0-9_-]+>, <mailto:unsubscribe\+[A-Za-z0-9_-]+@nurture\.example>$",
            mail.Headers[HeaderId.ListUnsubscribe]!.Replace("\r\n", "").Replace("\n", "").Replace(" <", "<").Replace(",<", ", <"));
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        Assert.Single(TrackedLink().Matches(mail.HtmlBody!));
        Assert.DoesNotContain("https://nurture.example/getting-started", mail.HtmlBody!);
        Assert.Matches("<img src=\"http://localhost/t/o/[A-Za-z0-9_-]+\" width=\"1\" height=\"1\"", mail.HtmlBody!);
        Assert.Contains("https://nurture.example/getting-started", mail.TextBody!);
        Assert.Contains("1 Example Street", mail.HtmlBody!);
        Assert.False(string.IsNullOrEmpty(mail.MessageId));
    }

    [Fact]
    public async Task ALeadNamedWithScript_IsEscapedInTheEmail()
    {
        var email = NurtureApp.UniqueEmail("xss");
        await _app.CreateLeadAsync(new { email, firstName = "<script>alert(1)</script>" });

        var mail = (await MailSink.WaitForAsync(email)).Single().Message;

        Assert.DoesNotContain("<script>", mail.HtmlBody!);
        Assert.Contains("Hi &lt;script&gt;alert(1)&lt;/script&gt;,", mail.HtmlBody!);
    }

    [Fact]
    public async Task ClickingTheTrackedLink_Redirects_Scores_MovesToMql_AndTheMqlEmailArrives()
    {
        await PutScoringAsync(clickPoints: 30);
        var email = NurtureApp.UniqueEmail("clicker");
        var lead = await _app.CreateLeadAsync(new { email, firstName = "Grace", owner = "rep@ourcompany.test" });
        var id = lead["id"]!.GetValue<string>();
        var welcome = (await MailSink.WaitForAsync(email)).Single().Message;
        var link = TrackedLink().Match(welcome.HtmlBody!).Groups[1].Value;

        var click = await _app.Anonymous().GetAsync(link);

        Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
        Assert.Equal("https://nurture.example/getting-started", click.Headers.Location!.ToString());
        var moved = await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}");
        Assert.Equal("mql", moved!["stage"]!.GetValue<string>());
        Assert.Equal(30, moved["score"]!.GetValue<int>());
        var mails = await MailSink.WaitForAsync(email, count: 2, seconds: 90);
        Assert.Contains(mails, m => m.Message.Subject?.Contains("a guide picked for you") == true);
        var alert = (await MailSink.WaitForAsync("rep@ourcompany.test", count: 1)).Last().Message;
        Assert.Contains("Grace", alert.Subject);

        var timeline = await _app.TimelineAsync(id);
        var stageChange = timeline.First(e => e!["kind"]!.GetValue<string>() == "stage_changed")!;
        Assert.Equal("score", stageChange["data"]!["cause"]!.GetValue<string>());
        Assert.Equal("lead", stageChange["data"]!["from"]!.GetValue<string>());
        Assert.Equal("mql", stageChange["data"]!["to"]!.GetValue<string>());
        await _app.WaitForKindAsync(id, "owner_notified");
        var kinds = await _app.WaitForKindAsync(id, "email_sent", count: 2);
        AssertInOrder(kinds, "created", "stage_changed", "enrolled", "email_scheduled", "email_sent", "email_clicked",
            "score_changed", "stage_changed", "enrolled");
        Assert.Equal(2, kinds.Count(k => k == "email_sent"));
    }

    [Fact]
    public async Task ATamperedClickToken_Gets404_AndRecordsNothing()
    {
        var email = NurtureApp.UniqueEmail("tamper");
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        var link = TrackedLink().Match((await MailSink.WaitForAsync(email)).Single().Message.HtmlBody!).Groups[1].Value;
        var token = link[(link.LastIndexOf('/') + 1)..];
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        foreach (var bad in new[] { tampered, token[..10], "not-a-token", token + "A" })
        {
            var response = await _app.Anonymous().GetAsync($"/t/c/{bad}?url=https://evil.example");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
        Assert.DoesNotContain("email_clicked", await _app.KindsAsync(id));
        Assert.Equal(0, (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!["score"]!.GetValue<int>());
    }

    [Fact]
    public async Task ALeadThatDoesNotClick_GetsTheFollowUp_AfterTheWait()
    {
        await PutShortWelcomeAsync("PT2S");
        var email = NurtureApp.UniqueEmail("quiet");
        var id = (await _app.CreateLeadAsync(new { email, firstName = "Quiet" }))["id"]!.GetValue<string>();

        var mails = await MailSink.WaitForAsync(email, count: 2, seconds: 90);

        Assert.Equal("Welcome, Quiet!", mails[0].Message.Subject);
        Assert.Equal("Quiet, did you get a chance to look?", mails[1].Message.Subject);
        var sent = mails.Select(m => m.Message.Date).ToList();
        Assert.True(sent[1] - sent[0] >= TimeSpan.FromSeconds(2), $"follow-up came {(sent[1] - sent[0]).TotalSeconds} s after the welcome");
        var timeline = await _app.TimelineAsync(id);
        var branch = timeline.First(e => e!["kind"]!.GetValue<string>() == "branch")!;
        Assert.False(branch["data"]!["result"]!.GetValue<bool>());
        Assert.Equal("nudge", branch["data"]!["next"]!.GetValue<string>());
    }

    [Fact]
    public async Task OneClickUnsubscribe_StopsEveryLaterEmail_AndTheSkippedStepIsRecordedAsSuppressed()
    {
        await PutShortWelcomeAsync("PT2S");
        var email = NurtureApp.UniqueEmail("leaver");
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        var welcome = (await MailSink.WaitForAsync(email)).Single().Message;
        var unsubscribe = Regex.Match(welcome.Headers[HeaderId.ListUnsubscribe]!, "<(http[^>]+)>").Groups[1].Value;

        // RFC 8058: a POST with this exact body, no cookie, no antiforgery token.
        var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("List-Unsubscribe", "One-Click")]);
        var first = await _app.Anonymous().PostAsync(unsubscribe, content);
        var again = await _app.Anonymous().PostAsync(unsubscribe, content);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var kinds = await _app.WaitForKindAsync(id, "email_suppressed", seconds: 90);
        Assert.Single(kinds, k => k == "unsubscribed");
        Assert.Single(MailSink.For(email));
        var lead = await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}");
        Assert.Equal("unsubscribed", lead!["status"]!.GetValue<string>());
        var suppressed = (await _app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "email_suppressed")!;
        Assert.Equal("nudge", suppressed["data"]!["step"]!.GetValue<string>());
        Assert.Contains("unsubscribed", suppressed["data"]!["reason"]!.GetValue<string>());
    }

    private async Task PutScoringAsync(int clickPoints)
    {
        var response = await _app.Api().PutAsJsonAsync("/api/v1/scoring", new
        {
            rules = new object[] { new { @event = "email_clicked", points = clickPoints }, new { @event = "email_opened", points = 1 } },
            thresholds = new object[] { new { pipeline = "default", fromStage = "lead", score = 25, stage = "mql" } },
        });
        response.EnsureSuccessStatusCode();
    }

    private async Task PutShortWelcomeAsync(string wait)
    {
        var response = await _app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse($$"""
            { "name": "Welcome series", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [
                { "id": "welcome", "type": "email", "template": "welcome" },
                { "id": "pause-1", "type": "wait", "duration": "{{wait}}" },
                { "id": "engaged?", "type": "branch", "if": { "type": "clicked", "step": "welcome" }, "then": "end", "else": "nudge" },
                { "id": "nudge", "type": "email", "template": "follow-up" },
                { "id": "end", "type": "exit" } ] }
            """));
        response.EnsureSuccessStatusCode();
    }

    private static void AssertInOrder(List<string> actual, params string[] expected)
    {
        var at = 0;
        foreach (var kind in actual)
            if (at < expected.Length && kind == expected[at]) at++;
        Assert.True(at == expected.Length, $"expected in order: {string.Join(", ", expected)}; timeline was: {string.Join(", ", actual)}");
    }
}
