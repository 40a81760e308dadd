using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// A worker that is slow, not dead: while it still waits for the SMTP server's answer, it renews the
/// <c>sending</c> lease, so the sweep of another worker does not record as "outcome unknown" an email that then goes out.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SendingLeaseTests
{
    [Fact]
    public async Task AnEmailStillInTheSmtpConversation_PastItsFirstLease_IsNotSettledAsUnknown_AndIsRecordedSentWhenTheServerAnswers()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var smtp = new TcpFaultProxy("127.0.0.1", TestEnvironment.SmtpPort);
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?>
        {
            ["Nurture:Role"] = "web", ["Smtp:Port"] = smtp.Port.ToString(), ["Nurture:SendLeaseSeconds"] = "10", ["Smtp:TimeoutSeconds"] = "60",
        }, clock);
        await app.QuietDemoSequencesAsync();
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/hello", JsonNode.Parse("""
            { "name": "Hello", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "hello", "type": "email", "template": "welcome" } ] }
            """))).EnsureSuccessStatusCode();
        var email = NurtureApp.UniqueEmail("slow");
        var lead = Guid.Parse((await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>());
        await app.RunDueStepsAsync();

        // The server takes its time over RCPT TO: the email is marked sending and waits for the answer.
        var held = smtp.HoldWhenClientSends("RCPT TO");
        var sending = Task.Run(app.SendDueEmailsAsync);
        await held.WaitAsync(TimeSpan.FromSeconds(60));
        var first = app.Db(db => db.Messages.Single(m => m.LeadId == lead));
        Assert.Equal(MessageStatus.Sending, first.Status);

        // Half a lease on, the worker renews it; then the first lease runs out and another worker's sweep comes by.
        clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.Messages.Single(m => m.LeadId == lead).LeaseUntil)),
            until => until > first.LeaseUntil, what: "the sending lease renewed");
        clock.SetUtcNow(first.LeaseUntil!.Value + TimeSpan.FromSeconds(1));
        Assert.Equal(0, await app.Services.GetRequiredService<OutboxSender>().ResolveAbandonedAsync(CancellationToken.None));
        Assert.Equal(MessageStatus.Sending, app.Db(db => db.Messages.Single(m => m.LeadId == lead).Status));

        // The server answers: sent, once, and recorded so.
        smtp.Release();
        await sending;
        Assert.Equal(MessageStatus.Sent, app.Db(db => db.Messages.Single(m => m.LeadId == lead).Status));
        Assert.Single(await MailSink.WaitForAsync(email));
        var kinds = await app.KindsAsync(lead.ToString());
        Assert.Contains("email_sent", kinds);
        Assert.DoesNotContain("email_failed", kinds);
    }
}
