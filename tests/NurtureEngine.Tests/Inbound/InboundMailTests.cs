using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using NurtureEngine.Inbound;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Inbound;

/// <summary>
/// Engagement back in through a real mailbox: the app reads its own folder of the real Dovecot
/// (IMAP, polled by its Hangfire job); the tests deliver bounces, complaints and replies into it.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class InboundMailTests : IAsyncLifetime
{
    private NurtureApp _app = null!;
    private TestMailbox _box = null!;

    public async Task InitializeAsync()
    {
        _box = await TestMailbox.CreateAsync();
        _app = await NurtureApp.StartAsync(_box.Settings(new Dictionary<string, string?> { ["Nurture:SoftBounceLimit"] = "2" }));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [GeneratedRegex(@"^(?:bounces|reply)\+([A-Za-z0-9_-]+)@nurture\.example$")] private static partial Regex TokenAddress();

    private sealed record Sent(string LeadId, string Email, string MessageId, string BounceToken, string ReplyToken, MimeMessage Mail);

    /// <summary>Creates a lead and waits for the welcome email; returns what a bounce or reply would quote.</summary>
    private async Task<Sent> SendWelcomeAsync(string name, string? owner = null)
    {
        var email = NurtureApp.UniqueEmail(name);
        var lead = await _app.CreateLeadAsync(owner is null ? new { email, firstName = "Ada" } : new { email, firstName = "Ada", owner });
        var received = (await MailSink.WaitForAsync(email)).Single();
        var envelopeFrom = File.ReadLines(received.Path).Skip(1).First()["X-Envelope-From:".Length..].Trim();
        var mail = received.Message;
        return new Sent(lead["id"]!.GetValue<string>(), email, mail.MessageId!,
            TokenAddress().Match(envelopeFrom).Groups[1].Value, TokenAddress().Match(mail.ReplyTo.Mailboxes.Single().Address).Groups[1].Value, mail);
    }

    private async Task<JsonObject> LeadAsync(string id) => (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;

    private async Task<JsonNode> EntryAsync(string id, string kind) =>
        (await _app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == kind)!;

    private async Task PutWelcomeWithFollowUpAsync(string wait)
    {
        var response = await _app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse($$"""
            { "name": "Welcome series", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "exitWhen": [ { "type": "replied" } ],
              "steps": [
                { "id": "welcome", "type": "email", "template": "welcome" },
                { "id": "pause-1", "type": "wait", "duration": "{{wait}}" },
                { "id": "nudge", "type": "email", "template": "follow-up" } ] }
            """));
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task OutgoingMarketingEmail_HasAVerpReturnPath_AReplyToken_AndAStableMessageId()
    {
        var sent = await SendWelcomeAsync("verp");

        Assert.Equal(42, sent.BounceToken.Length);
        Assert.Equal(42, sent.ReplyToken.Length);
        Assert.NotEqual(sent.BounceToken, sent.ReplyToken);
        Assert.EndsWith("@nurture.example", sent.MessageId);
        Assert.Null(sent.Mail.Headers[HeaderId.ReturnPath]); // the envelope carries it; the receiving MTA writes the header
    }

    [Fact]
    public async Task ADsnForASentMessage_BouncesTheLeadAtOnce_AndTheNextStepIsRecordedAsSuppressed()
    {
        await PutWelcomeWithFollowUpAsync("PT8S");
        var sent = await SendWelcomeAsync("dsn");

        await _box.AppendAsync(InboundSamples.Text("postfix-dsn-user-unknown.eml", sent.Email, sent.MessageId, bounceToken: sent.BounceToken));

        await _app.WaitForKindAsync(sent.LeadId, "email_bounced");
        var bounce = await EntryAsync(sent.LeadId, "email_bounced");
        Assert.Equal("hard", bounce["data"]!["type"]!.GetValue<string>());
        Assert.Equal("5.1.1", bounce["data"]!["status"]!.GetValue<string>());
        Assert.Contains("User", bounce["data"]!["reason"]!.GetValue<string>());
        Assert.Equal("bounced", (await LeadAsync(sent.LeadId))["status"]!.GetValue<string>());
        await _app.WaitForKindAsync(sent.LeadId, "email_suppressed", seconds: 30);
        var suppressed = await EntryAsync(sent.LeadId, "email_suppressed");
        Assert.Equal("nudge", suppressed["data"]!["step"]!.GetValue<string>());
        Assert.Contains("bounced", suppressed["data"]!["reason"]!.GetValue<string>());
        Assert.Single(MailSink.For(sent.Email));
    }

    [Fact]
    public async Task SoftBounces_BounceTheLead_OnlyAfterTheConfiguredNumber()
    {
        var sent = await SendWelcomeAsync("soft");

        // Tied by the failed recipient only: no token, an unknown Message-ID.
        await _box.AppendAsync(InboundSamples.Text("gmail-dsn-spam-blocked-5.7.1.eml", sent.Email, "unknown-1@elsewhere.example"));
        await Eventually.GetAsync(() => _app.KindsAsync(sent.LeadId), k => k.Count(x => x == "email_bounced") == 1, 30, "first soft bounce");
        var first = await EntryAsync(sent.LeadId, "email_bounced");
        Assert.Equal("soft", first["data"]!["type"]!.GetValue<string>());
        Assert.Equal("5.7.1", first["data"]!["status"]!.GetValue<string>());
        Assert.Equal("subscribed", (await LeadAsync(sent.LeadId))["status"]!.GetValue<string>());

        await _box.AppendAsync(InboundSamples.Text("postfix-dsn-mailbox-full-5.2.2.eml", sent.Email, sent.MessageId));
        await Eventually.GetAsync(() => _app.KindsAsync(sent.LeadId), k => k.Count(x => x == "email_bounced") == 2, 30, "second soft bounce");
        Assert.Equal("bounced", (await LeadAsync(sent.LeadId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AHumanReply_EndsTheEnrollment_Scores_AndNotifiesTheOwnerByEmail()
    {
        var owner = NurtureApp.UniqueEmail("rep");
        var sent = await SendWelcomeAsync("replier", owner);

        await _box.AppendAsync(InboundSamples.Text("human-reply.eml", sent.Email, sent.MessageId, replyToken: sent.ReplyToken));

        var kinds = await _app.WaitForKindAsync(sent.LeadId, "email_replied");
        Assert.Contains("exited", kinds);
        Assert.Equal(15, (await LeadAsync(sent.LeadId))["score"]!.GetValue<int>());
        var notice = (await MailSink.WaitForAsync(owner)).Single().Message;
        Assert.Contains("replied", notice.Subject);
        Assert.Contains("Could we book a demo next Tuesday?", notice.TextBody);
        Assert.DoesNotContain("Hi Ada, welcome aboard.", notice.TextBody);
        var exited = await EntryAsync(sent.LeadId, "exited");
        Assert.Contains("replied", exited["summary"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AnOutOfOfficeReply_IsOnTheTimelineAsAnAutoReply_AndDoesNothingElse()
    {
        var owner = NurtureApp.UniqueEmail("rep");
        var sent = await SendWelcomeAsync("away", owner);

        await _box.AppendAsync(InboundSamples.Text("ooo-exchange-auto-submitted.eml", sent.Email, sent.MessageId, replyToken: sent.ReplyToken));

        var kinds = await _app.WaitForKindAsync(sent.LeadId, "auto_replied");
        Assert.DoesNotContain("email_replied", kinds);
        Assert.DoesNotContain("exited", kinds);
        Assert.DoesNotContain("score_changed", kinds);
        Assert.Equal(0, (await LeadAsync(sent.LeadId))["score"]!.GetValue<int>());
        Assert.Empty(MailSink.For(owner));
    }

    [Fact]
    public async Task AnArfComplaint_MarksTheLeadComplained_AndSuppressesTheAddress()
    {
        var sent = await SendWelcomeAsync("arf");

        await _box.AppendAsync(InboundSamples.Text("arf-complaint-yahoo.eml", sent.Email, sent.MessageId));

        await _app.WaitForKindAsync(sent.LeadId, "complained");
        Assert.Equal("complained", (await LeadAsync(sent.LeadId))["status"]!.GetValue<string>());
        var list = await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/suppressions?email={Uri.EscapeDataString(sent.Email)}");
        Assert.Equal("complaint", list!["items"]!.AsArray().Single()!["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAuthenticationFailureReport_IsOnTheTimeline_ButIsNoComplaint_TheLeadStaysSubscribed()
    {
        var sent = await SendWelcomeAsync("dmarc");

        await _box.AppendAsync(InboundSamples.Text("arf-complaint-yahoo.eml", sent.Email, sent.MessageId).Replace("Feedback-Type: abuse", "Feedback-Type: auth-failure"));

        var kinds = await _app.WaitForKindAsync(sent.LeadId, "email_auth_failed");
        Assert.DoesNotContain("complained", kinds);
        Assert.Equal("subscribed", (await LeadAsync(sent.LeadId))["status"]!.GetValue<string>());
        var list = await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/suppressions?email={Uri.EscapeDataString(sent.Email)}");
        Assert.Empty(list!["items"]!.AsArray());
    }

    [Fact]
    public async Task MailToTheListUnsubscribeAddress_Unsubscribes()
    {
        var sent = await SendWelcomeAsync("mailto");
        var unsubscribe = Regex.Match(sent.Mail.Headers[HeaderId.ListUnsubscribe]!, @"mailto:unsubscribe\+([A-Za-z0-9_-]+)@").Groups[1].Value;

        await _box.AppendAsync(InboundSamples.Text("unsubscribe-mailto.eml", sent.Email, unsubscribeToken: unsubscribe));

        await _app.WaitForKindAsync(sent.LeadId, "unsubscribed");
        Assert.Equal("unsubscribed", (await LeadAsync(sent.LeadId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheSameInboundMessage_ReadAgainAfterACrashBeforeMarking_IsProcessedOnce()
    {
        var sent = await SendWelcomeAsync("twice");
        var raw = InboundSamples.Text("gmail-dsn-spam-blocked-5.7.1.eml", sent.Email, sent.MessageId, bounceToken: sent.BounceToken);

        // A first run processed it and died before marking it read in the mailbox...
        using (var scope = _app.Services.CreateScope())
        {
            var first = await scope.ServiceProvider.GetRequiredService<InboundProcessor>().ProcessAsync(MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw))), CancellationToken.None);
            Assert.True(first.Processed);
        }
        // ...so the message is still there, unmarked (and the relay even delivered it twice).
        await _box.AppendAsync(raw);
        await _box.AppendAsync(raw);

        await Eventually.GetAsync(_box.CountAsync, c => c.Processed == 2, 30, "both copies marked processed");
        var kinds = await _app.KindsAsync(sent.LeadId);
        Assert.Single(kinds, k => k == "email_bounced");
        Assert.Equal(1, _app.Db(db => db.InboundMessages.Count()));
    }

    [Fact]
    public async Task AWebhookComplaint_SuppressesTheLead_AndAWebhookHardBounceBouncesIt()
    {
        var complainer = await SendWelcomeAsync("hook-complaint");
        var bouncer = await SendWelcomeAsync("hook-bounce");

        var response = await _app.Api().PostAsJsonAsync("/api/v1/webhooks/delivery", new
        {
            events = new object[]
            {
                new { type = "complaint", email = complainer.Email, occurredAt = "2026-11-23T10:00:00Z" },
                new { type = "bounce", messageId = $"<{bouncer.MessageId}>", bounceType = "hard", status = "5.1.1" },
                new { type = "delivered", email = complainer.Email, messageId = complainer.MessageId },
                new { type = "exploded", email = complainer.Email },
            },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(3, body["accepted"]!.GetValue<int>());
        Assert.Equal(3, body["rejected"]!.AsArray().Single()!["index"]!.GetValue<int>());
        Assert.Equal("complained", (await LeadAsync(complainer.LeadId))["status"]!.GetValue<string>());
        Assert.Contains("complained", await _app.KindsAsync(complainer.LeadId));
        Assert.Contains("email_delivered", await _app.KindsAsync(complainer.LeadId));
        Assert.Equal("bounced", (await LeadAsync(bouncer.LeadId))["status"]!.GetValue<string>());
        var list = await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/suppressions?email={Uri.EscapeDataString(complainer.Email)}");
        Assert.Single(list!["items"]!.AsArray());

        var unauthenticated = await _app.Anonymous().PostAsJsonAsync("/api/v1/webhooks/delivery", new { events = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }
}
