using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using NurtureEngine.Inbound;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Inbound;

/// <summary>An out-of-office reply that says when its writer is back holds that lead's next sequence email until the day after.</summary>
[Collection(AppCollection.Name)]
public sealed class OutOfOfficeReturnTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartDrivenAsync(_clock);
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/drip", new
        {
            name = "Drip", trigger = new { type = "manual" },
            steps = new object[]
            {
                new { id = "hi", type = "email", template = "welcome" },
                new { id = "pause", type = "wait", duration = "P1D" },
                new { id = "nudge", type = "email", template = "welcome" },
                new { id = "pause-2", type = "wait", duration = "P1D" },
            },
        })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> EnrolledAsync(string name)
    {
        var email = NurtureApp.UniqueEmail(name);
        var id = (await _app.CreateLeadAsync(new { email, firstName = "Ada" }))["id"]!.GetValue<string>();
        (await _app.Api().PostAsJsonAsync("/api/v1/sequences/drip/enroll", new { leadId = id })).EnsureSuccessStatusCode();
        await _app.RunDueAsync();
        Assert.Single(MailSink.For(email));
        return email;
    }

    private async Task AutoReplyAsync(string from, string text)
    {
        var raw = $"From: {from}\r\nTo: reply@nurture.example\r\nSubject: Automatic reply: Welcome\r\nAuto-Submitted: auto-replied\r\n" +
                  $"Message-ID: <{Guid.NewGuid():N}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n";
        using var scope = _app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<InboundProcessor>()
            .ProcessAsync(MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw))), CancellationToken.None);
        Assert.Equal(InboundKind.AutoReply, result.Kind);
    }

    [Fact]
    public async Task AnOutOfOfficeWithAReturnDate_DelaysTheNextEmail_UntilTheDayAfter_AndOneWithoutADateDelaysNothing()
    {
        var away = await EnrolledAsync("away");
        var plain = await EnrolledAsync("plain");
        await AutoReplyAsync(away, "I am out of the office until 1 December 2026 with limited access to email.");
        await AutoReplyAsync(plain, "I am out of the office with limited access to email.");

        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5)); // the nudge is due
        await _app.RunDueAsync();

        Assert.Equal(2, MailSink.For(plain).Count);
        Assert.Single(MailSink.For(away));
        var leadId = _app.Db(db => db.Leads.Single(l => l.Email == away).Id).ToString();
        var timeline = await _app.TimelineAsync(leadId);
        Assert.Equal("2026-12-01", timeline.First(e => e!["kind"]!.GetValue<string>() == "auto_replied")!["data"]!["returnsOn"]!.GetValue<string>());
        Assert.Contains("out-of-office", timeline.First(e => e!["kind"]!.GetValue<string>() == "email_delayed")!["summary"]!.GetValue<string>());

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 23, 0, 0, TimeSpan.Zero)); // still the return day
        await _app.RunDueAsync();
        Assert.Single(MailSink.For(away));

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 0, 5, 0, TimeSpan.Zero)); // the day after
        await _app.RunDueAsync();
        Assert.Equal(2, MailSink.For(away).Count);
    }
}
