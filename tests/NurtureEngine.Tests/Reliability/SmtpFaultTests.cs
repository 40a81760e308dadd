using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// The relay's answers map to outcomes: "definitely not sent" (4xx, 421, connection refused) retries
/// later and loses nothing; 5xx fails for good; a drop or a timeout after the whole message went out
/// is "unknown": recorded on the timeline and never resent.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SmtpFaultTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    // A short reply timeout so the slow relay is a timeout within the test.
    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Smtp:TimeoutSeconds"] = "5" });
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Message? MessageFor(NurtureApp app, string email) => app.Db(db => db.Messages.SingleOrDefault(m => m.ToAddress == email));

    [Theory]
    [InlineData("tempfail.test", "451")]
    [InlineData("closing.test", "421")]
    public async Task A4xxFromTheRelay_IsRetriedLaterWithBackoff_NotFailed(string domain, string code)
    {
        var email = $"busy.{Guid.NewGuid():N}@{domain}";
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();

        var message = await Eventually.GetAsync(() => Task.FromResult(MessageFor(_app, email)), m => m is { Attempts: >= 1, Status: MessageStatus.Scheduled }, 30, "a first attempt");

        Assert.StartsWith(code, message!.SmtpReply);
        Assert.True(message.NotBefore > DateTimeOffset.UtcNow.AddSeconds(10), $"next attempt at {message.NotBefore:O}");
        Assert.DoesNotContain("email_failed", await _app.KindsAsync(id));
    }

    [Theory]
    [InlineData("reject.test", "550")]
    [InlineData("spam.test", "554")]
    public async Task A5xxFromTheRelay_IsAPermanentFailure_OnTheTimeline_AndNeverResent(string domain, string code)
    {
        var email = $"gone.{Guid.NewGuid():N}@{domain}";
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();

        await _app.WaitForKindAsync(id, "email_failed");

        var message = MessageFor(_app, email)!;
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.StartsWith(code, message.SmtpReply);
        Assert.Empty(MailSink.For(email));
    }

    /// <summary>
    /// The relay got the whole message (the sink wrote it) but the connection dropped, or the reply
    /// never came, before it said 250: the engine cannot know, records "unknown" and does not resend.
    /// </summary>
    [Theory]
    [InlineData("drop.test")]
    [InlineData("slow.test")]
    public async Task ADropOrTimeoutAfterTheMessageWentOut_IsRecordedAsUnknown_AndNeverResent(string domain)
    {
        var email = $"unsure.{Guid.NewGuid():N}@{domain}";
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();

        await _app.WaitForKindAsync(id, "email_failed", 60);

        var message = MessageFor(_app, email)!;
        Assert.Equal(MessageStatus.Unknown, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Contains("after the message was transmitted", message.Error);
        Assert.Null(message.LeaseOwner);
        Assert.Single(MailSink.For(email));
        // Unknown is final: a later drain of the outbox finds nothing to send for it.
        await _app.RunDueStepsAsync();
        Assert.Equal(1, MessageFor(_app, email)!.Attempts);
        Assert.Single(MailSink.For(email));
    }

    [Fact]
    public async Task ARelayThatRefusesConnections_IsRetried_AndWhenItComesBack_TheEmailArrivesOnce()
    {
        await using var relay = new PrivateSmtpSink(); // not started yet: its port refuses connections
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Smtp:Port"] = relay.Port.ToString() });
        var email = NurtureApp.UniqueEmail("outage");
        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();

        var first = await Eventually.GetAsync(() => Task.FromResult(MessageFor(app, email)), m => m is { Attempts: >= 1, Status: MessageStatus.Scheduled }, 30, "a first attempt");
        Assert.StartsWith("not sent", first!.SmtpReply);
        Assert.DoesNotContain("email_failed", await app.KindsAsync(id));
        Assert.Empty(MailSink.For(email));

        await relay.StartAsync();
        // The backoff's first retry is 30 s after the failed attempt.
        await MailSink.WaitForAsync(email, 1, 120);
        var sent = await Eventually.GetAsync(() => Task.FromResult(MessageFor(app, email)), m => m is { Status: MessageStatus.Sent }, 30, "recorded as sent");
        Assert.Equal(2, sent!.Attempts);
        Assert.Single(MailSink.For(email));
        Assert.Contains("email_sent", await app.KindsAsync(id));
    }
}
