using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Mail;

/// <summary>
/// CR/LF in what ends up in header fields (a lead's name, company and attributes in the subject; the
/// sender's name in From and Reply-To) never starts a header of its own: the email that reaches the
/// real SMTP sink has one Subject line, no Bcc, and the lead as its only recipient, in the envelope too.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class HeaderInjectionTests : IAsyncLifetime
{
    private const string Victim = "victim@evil.example";
    private const string Injection = "\r\nBcc: " + Victim + "\r\n";
    private NurtureApp _app = null!;

    // The sender's name from configuration, which (unlike the Settings page) nothing validates.
    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Sender:Name"] = "Acme" + Injection + "Sales" });
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CrLfInTheFieldsASubjectUses_StaysInsideOneSubjectLine_AndAddsNoRecipient()
    {
        (await _app.Api().PutAsJsonAsync("/api/v1/templates/injected", new
        {
            name = "Injected", subject = "{{ lead.first_name }} at {{ lead.company }}: {{ lead.attributes.plan }}", html = "<p>Hello</p>",
        })).EnsureSuccessStatusCode();
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/injected", JsonNode.Parse("""
            { "name": "Injected", "trigger": { "type": "manual" }, "steps": [ { "id": "injected", "type": "email", "template": "injected" } ] }
            """))).EnsureSuccessStatusCode();
        var email = NurtureApp.UniqueEmail("eve");
        // The API accepts line breaks in attributes; names with them it refuses (422), so those are
        // written as an older version or another writer might have stored them.
        var id = Guid.Parse((await _app.CreateLeadAsync(new { email, attributes = new { plan = "gold" + Injection } }))["id"]!.GetValue<string>());
        _app.Db(db => db.Leads.Where(l => l.Id == id).ExecuteUpdate(s => s
            .SetProperty(l => l.FirstName, "Eve" + Injection)
            .SetProperty(l => l.Company, "Evil" + Injection + "Corp")));
        (await _app.Api().PostAsJsonAsync("/api/v1/sequences/injected/enroll", new { leadId = id })).EnsureSuccessStatusCode();

        var messageId = (await Eventually.GetAsync(() => Task.FromResult(_app.Db(db => db.Messages.Where(m => m.LeadId == id && m.StepId == "injected").Select(m => (Guid?)m.Id).SingleOrDefault())),
            m => m is not null, 30, "the step's email queued"))!.Value;
        var received = await Eventually.GetAsync(() => Task.FromResult(MailSink.For(email).FirstOrDefault(r => r.Message.Headers["X-Nurture-Message"] == messageId.ToString("N"))),
            r => r is not null, 30, "the step's email received");

        const string expected = "Eve Bcc: victim@evil.example at Evil Bcc: victim@evil.example Corp: gold Bcc: victim@evil.example";
        Assert.Equal(expected, received!.Message.Subject);
        AssertOnlyTheLead(received, email);
        Assert.Equal(expected, _app.Db(db => db.Messages.Single(m => m.Id == messageId).Subject));
    }

    [Fact]
    public async Task CrLfInTheSendersName_StaysInsideTheFromAndReplyToNames()
    {
        var email = NurtureApp.UniqueEmail("lead");

        await _app.CreateLeadAsync(new { email }); // the demo welcome email

        var received = Assert.Single(await MailSink.WaitForAsync(email));
        Assert.Equal("Acme Bcc: victim@evil.example Sales", Assert.Single(received.Message.From.Mailboxes).Name);
        Assert.Equal("Acme Bcc: victim@evil.example Sales", Assert.Single(received.Message.ReplyTo.Mailboxes).Name);
        AssertOnlyTheLead(received, email);
    }

    /// <summary>The raw header section, line by line as the sink stored it, and the parsed message agree: nothing was injected.</summary>
    private static void AssertOnlyTheLead(MailSink.Received received, string email)
    {
        var raw = File.ReadAllText(received.Path, Encoding.UTF8);
        var header = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
        Assert.Single(header, line => line.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(header, line => line.StartsWith("Bcc:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Cc:", StringComparison.OrdinalIgnoreCase));
        Assert.Equal([email], received.EnvelopeTo);
        Assert.Equal(email, Assert.Single(received.Message.To.Mailboxes).Address);
        Assert.Empty(received.Message.Cc);
        Assert.Empty(received.Message.Bcc);
        foreach (var mailbox in received.Message.From.Mailboxes.Concat(received.Message.ReplyTo.Mailboxes))
            Assert.DoesNotMatch("[\r\n]", mailbox.Name);
        Assert.DoesNotMatch("[\r\n]", received.Message.Subject);
        Assert.Empty(MailSink.For(Victim));
    }
}
