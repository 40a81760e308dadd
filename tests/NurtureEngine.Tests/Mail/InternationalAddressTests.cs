using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Mail;

/// <summary>
/// Internationalised addresses end to end, through the real SMTP sink: an IDN domain is one lead in
/// its Unicode and punycode forms and travels as A-labels to a relay without SMTPUTF8; a UTF-8 local
/// part (RFC 6531) travels with SMTPUTF8 where the relay offers it, and where it does not, the email
/// fails once with a clear reason, without a bounce or any harm to the lead.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class InternationalAddressTests
{
    [Fact]
    public async Task AnIdnDomain_IsOneLeadInBothForms_AndIsDeliveredInALabelsWithoutSmtpUtf8()
    {
        await using var relay = await AppBehindARelayWithoutSmtpUtf8.StartAsync();
        var app = relay.App;
        var local = $"anna.{Guid.NewGuid():N}";
        var unicode = $"{local}@bücher.example";
        var punycode = $"{local}@xn--bcher-kva.example";

        var first = await app.Api().PostAsJsonAsync("/api/v1/leads", new { email = unicode });
        var second = await app.Api().PostAsJsonAsync("/api/v1/leads", new { email = punycode.ToUpperInvariant(), company = "Bücher" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var lead = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = lead["id"]!.GetValue<string>();
        Assert.Equal(id, (await second.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
        Assert.Equal(unicode, lead["email"]!.GetValue<string>()); // kept as given
        var found = (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads?email={Uri.EscapeDataString(punycode)}"))!["items"]!.AsArray();
        Assert.Equal(id, Assert.Single(found)!["id"]!.GetValue<string>());
        Assert.Equal(1, app.Db(db => db.Leads.Count(l => l.EmailNormalized == punycode)));

        var received = Assert.Single(await MailSink.WaitForAsync(punycode));
        Assert.Equal([punycode], received.EnvelopeTo);
        Assert.DoesNotContain("SMTPUTF8", received.Message.Headers["X-Envelope-Mail-Options"] ?? "");
        await app.WaitForKindAsync(id, "email_sent");
        Assert.Single(MailSink.For(punycode));
    }

    [Fact]
    public async Task AUnicodeLocalPart_IsDeliveredWithSmtpUtf8_WhenTheRelayOffersIt()
    {
        await using var app = await NurtureApp.StartAsync(); // the shared sink advertises SMTPUTF8
        var email = $"jörg.{Guid.NewGuid():N}@example.com";

        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();

        var received = Assert.Single(await MailSink.WaitForAsync(email));
        Assert.Equal([email], received.EnvelopeTo);
        Assert.Contains("SMTPUTF8", received.Message.Headers["X-Envelope-Mail-Options"]);
        Assert.Equal(email, Assert.Single(received.Message.To.Mailboxes).Address);
        await app.WaitForKindAsync(id, "email_sent");
    }

    [Fact]
    public async Task AUnicodeLocalPart_WithoutSmtpUtf8_FailsOnceWithAClearReason_AndHarmsNothingElse()
    {
        await using var relay = await AppBehindARelayWithoutSmtpUtf8.StartAsync();
        var app = relay.App;
        var email = $"jörg.{Guid.NewGuid():N}@example.com";
        var bystander = NurtureApp.UniqueEmail("bystander");

        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        var bystanderId = (await app.CreateLeadAsync(new { email = bystander }))["id"]!.GetValue<string>();

        await app.WaitForKindAsync(id, "email_failed");
        var failure = (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "email_failed")!;
        Assert.Contains("SMTPUTF8", failure["summary"]!.GetValue<string>());
        var message = app.Db(db => db.Messages.Single(m => m.LeadId == Guid.Parse(id)));
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Null(message.LeaseOwner);
        Assert.Contains("SMTPUTF8", message.Error);
        // Not the address's fault: no bounce, no suppression, the lead stays subscribed.
        Assert.Equal(LeadStatus.Subscribed, app.Db(db => db.Leads.Single(l => l.Id == Guid.Parse(id)).Status));
        Assert.Equal(0, app.Db(db => db.Suppressions.Count()));
        Assert.DoesNotContain("email_bounced", await app.KindsAsync(id));
        Assert.Empty(MailSink.For(email));
        // The same relay goes on carrying everything else.
        await app.WaitForKindAsync(bystanderId, "email_sent");
        Assert.Single(MailSink.For(bystander));
    }

    /// <summary>The app sending through a private sink that does not offer SMTPUTF8 (a relay without RFC 6531).</summary>
    private sealed class AppBehindARelayWithoutSmtpUtf8(PrivateSmtpSink relay, NurtureApp app) : IAsyncDisposable
    {
        public NurtureApp App => app;

        public static async Task<AppBehindARelayWithoutSmtpUtf8> StartAsync()
        {
            var relay = new PrivateSmtpSink("--no-smtputf8");
            await relay.StartAsync();
            return new(relay, await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Smtp:Port"] = relay.Port.ToString() }));
        }

        public async ValueTask DisposeAsync()
        {
            await app.DisposeAsync();
            await relay.DisposeAsync();
        }
    }
}
