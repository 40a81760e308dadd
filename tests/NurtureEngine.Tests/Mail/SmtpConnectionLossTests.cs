using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Mail;

/// <summary>
/// The SMTP server's connection drops in the middle of a conversation, before the message was transmitted (through a TCP
/// proxy in front of the real sink): nothing left, so the email is tried again later and arrives once. (A drop after the
/// final dot is "outcome unknown", never resent: <see cref="Reliability.SmtpFaultTests"/>.)
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SmtpConnectionLossTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private readonly TcpFaultProxy _smtp = new("127.0.0.1", TestEnvironment.SmtpPort);
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web", ["Smtp:Port"] = _smtp.Port.ToString() }, _clock);
        await _app.QuietDemoSequencesAsync();
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/hello", new
        {
            name = "Hello", trigger = new { type = "manual" }, steps = new[] { new { id = "hi", type = "email", template = "welcome" } },
        })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task<(Guid Lead, string Email)> QueuedAsync(string name)
    {
        var email = NurtureApp.UniqueEmail(name);
        var id = Guid.Parse((await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>());
        (await _app.Api().PostAsJsonAsync("/api/v1/sequences/hello/enroll", new { leadId = id })).EnsureSuccessStatusCode();
        await _app.RunDueStepsAsync();
        return (id, email);
    }

    private Message MessageOf(Guid lead) => _app.Db(db => db.Messages.AsNoTracking().Single(m => m.LeadId == lead));

    [Fact]
    public async Task LostBeforeTheMessageWasTransmitted_TheEmailIsTriedAgainLater_AndArrivesOnce()
    {
        var (lead, email) = await QueuedAsync("early");
        var dropped = _smtp.TakeDownWhenClientSends("RCPT TO");

        await _app.SendDueEmailsAsync();
        await dropped;

        var retry = MessageOf(lead);
        Assert.Equal(MessageStatus.Scheduled, retry.Status);
        Assert.Equal(1, retry.Attempts);
        Assert.True(retry.NotBefore > _clock.GetUtcNow(), "a retry waits before the next attempt");
        Assert.Empty(MailSink.For(email));

        _smtp.BringBack();
        _clock.SetUtcNow(retry.NotBefore);
        await _app.SendDueEmailsAsync();
        Assert.Equal(MessageStatus.Sent, MessageOf(lead).Status);
        Assert.Single(await MailSink.WaitForAsync(email));
        Assert.Contains("email_sent", await _app.KindsAsync(lead.ToString()));
    }
}
