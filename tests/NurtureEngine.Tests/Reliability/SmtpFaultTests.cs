using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Reliability;

/// <summary>The relay's answers map to outcomes: 4xx retries later (nothing lost), 5xx fails for good (never resent).</summary>
[Collection(AppCollection.Name)]
public sealed class SmtpFaultTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Message? MessageFor(string email) => _app.Db(db => db.Messages.SingleOrDefault(m => m.ToAddress == email));

    [Fact]
    public async Task A451FromTheRelay_IsRetriedLaterWithBackoff_NotFailed()
    {
        var email = $"busy.{Guid.NewGuid():N}@tempfail.test";
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();

        var message = await Eventually.GetAsync(() => Task.FromResult(MessageFor(email)), m => m is { Attempts: >= 1, Status: MessageStatus.Scheduled }, 30, "a first attempt");

        Assert.StartsWith("451", message!.SmtpReply);
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

        var message = MessageFor(email)!;
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.StartsWith(code, message.SmtpReply);
        Assert.Empty(MailSink.For(email));
    }
}
