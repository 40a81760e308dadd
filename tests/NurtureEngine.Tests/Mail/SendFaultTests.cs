using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Mail;

/// <summary>
/// Faults in one message stay with that message: an address MimeKit cannot parse fails that email once, with
/// the reason, while the rest of its batch goes out, and is never claimed again.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SendFaultTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartDrivenAsync(_clock);
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/hello", new
        {
            name = "Hello", trigger = new { type = "manual" }, steps = new[] { new { id = "hi", type = "email", template = "welcome" } },
        })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(Guid Lead, string Email)> QueuedAsync(string name)
    {
        var email = NurtureApp.UniqueEmail(name);
        var id = Guid.Parse((await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>());
        (await _app.Api().PostAsJsonAsync("/api/v1/sequences/hello/enroll", new { leadId = id })).EnsureSuccessStatusCode();
        return (id, email);
    }

    [Fact]
    public async Task AnAddressMimeKitCannotParse_FailsAlone_Once_WithTheReason()
    {
        var good = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => QueuedAsync($"good{i}")));
        var (badLead, _) = await QueuedAsync("bad");
        await _app.RunDueStepsAsync();
        // As an older version or another writer might have stored it: the API refuses such an address.
        _app.Db(db => db.Messages.Where(m => m.LeadId == badLead).ExecuteUpdate(s => s.SetProperty(m => m.ToAddress, "broken <<@>> address")));

        await _app.SendDueEmailsAsync();

        foreach (var (_, email) in good) Assert.Single(MailSink.For(email));
        var bad = _app.Db(db => db.Messages.AsNoTracking().Single(m => m.LeadId == badLead));
        Assert.Equal(MessageStatus.Failed, bad.Status);
        Assert.Contains("cannot be sent", bad.Error);
        Assert.Equal(0, bad.Attempts); // never handed to SMTP
        Assert.Contains("email_failed", await _app.KindsAsync(badLead.ToString()));
        // Not claimed again, however long one waits.
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await _app.SendDueEmailsAsync());
        Assert.Equal(MessageStatus.Failed, _app.Db(db => db.Messages.AsNoTracking().Single(m => m.LeadId == badLead).Status));
    }

    /// <summary>The real transport, except that one address makes it throw what no transport is expected to throw (a bug in a library, say).</summary>
    private sealed class ThrowingFor(IMailTransport real, string address) : IMailTransport
    {
        public Task<DeliveryResult> SendAsync(MimeKit.MimeMessage message, CancellationToken ct) =>
            message.To.Mailboxes.Any(m => m.Address == address) ? throw new NotSupportedException("the transport could not handle this message") : real.SendAsync(message, ct);
    }

    [Fact]
    public async Task AnUnexpectedTransportException_FailsThatEmailAlone_Once_WithTheReason_AndTheRestGoOut()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        var poison = NurtureApp.UniqueEmail("poison");
        await using var app = await NurtureApp.StartDrivenAsync(clock, services =>
        {
            services.AddSingleton<MailTransportSwitch>();
            services.AddSingleton<IMailTransport>(sp => new ThrowingFor(sp.GetRequiredService<MailTransportSwitch>(), poison));
        });
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/hello", new
        {
            name = "Hello", trigger = new { type = "manual" }, steps = new[] { new { id = "hi", type = "email", template = "welcome" } },
        })).EnsureSuccessStatusCode();
        var good = new List<string>();
        Guid poisoned = default;
        foreach (var email in Enumerable.Range(0, 5).Select(i => NurtureApp.UniqueEmail($"fine{i}")).Append(poison))
        {
            var id = Guid.Parse((await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>());
            (await app.Api().PostAsJsonAsync("/api/v1/sequences/hello/enroll", new { leadId = id })).EnsureSuccessStatusCode();
            if (email == poison) poisoned = id; else good.Add(email);
        }
        await app.RunDueStepsAsync();

        await app.SendDueEmailsAsync();

        foreach (var email in good) Assert.Single(await MailSink.WaitForAsync(email));
        var failed = app.Db(db => db.Messages.AsNoTracking().Single(m => m.LeadId == poisoned));
        Assert.Equal(MessageStatus.Unknown, failed.Status); // it was handed to the transport: whether it left cannot be told
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("the transport could not handle this message", failed.Error);
        Assert.Contains("email_failed", await app.KindsAsync(poisoned.ToString()));
        // Never claimed again, however long one waits: once, not every lease.
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await app.SendDueEmailsAsync());
        Assert.Equal(1, app.Db(db => db.Messages.AsNoTracking().Single(m => m.LeadId == poisoned).Attempts));
    }
}
