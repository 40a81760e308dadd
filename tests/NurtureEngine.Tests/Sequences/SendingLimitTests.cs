using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>Frequency cap, domain throttle, global send rate and holidays on a fake clock: a capped email waits, it is never dropped.</summary>
[Collection(AppCollection.Name)]
public sealed class SendingLimitTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-23T10:00:00Z");

    private static async Task<(NurtureApp App, FakeTimeProvider Clock)> StartAsync(Dictionary<string, string?> settings, bool withReceipt = true)
    {
        var receipt = withReceipt ? """, { "id": "receipt", "type": "email", "template": "owner-alert", "transactional": true }""" : "";
        var clock = new FakeTimeProvider(Start);
        var app = await NurtureApp.StartAsync(settings, clock);
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse($$"""
            { "name": "Three in a row", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "one", "type": "email", "template": "welcome" },
                         { "id": "two", "type": "email", "template": "follow-up" },
                         { "id": "three", "type": "email", "template": "mql-nurture" } {{receipt}} ] }
            """))).EnsureSuccessStatusCode();
        return (app, clock);
    }

    private static List<string?> Steps(NurtureApp app, string id) =>
        app.Db(db => db.Messages.Where(m => m.LeadId == Guid.Parse(id) && m.Status != MessageStatus.Suppressed).Select(m => m.StepId).ToList().Order().ToList());

    [Fact]
    public async Task FrequencyCap_DelaysTheThirdMarketingEmailByTheWindow_TransactionalIsExempt()
    {
        var (app, clock) = await StartAsync(new() { ["Nurture:FrequencyCap:MaxEmails"] = "2", ["Nurture:FrequencyCap:Window"] = "P1D" });
        await using var _ = app;
        var id = (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("capped") }))["id"]!.GetValue<string>();

        await app.RunDueStepsAsync();

        Assert.Equal(["one", "two"], Steps(app, id));
        var delayed = (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "email_delayed")!;
        Assert.Contains("frequency cap", delayed["data"]!["reason"]!.GetValue<string>());
        Assert.Equal(Start.AddDays(1), delayed["data"]!["until"]!.GetValue<DateTimeOffset>());

        clock.Advance(TimeSpan.FromHours(23));
        await app.RunDueStepsAsync();
        Assert.Equal(["one", "two"], Steps(app, id));

        clock.Advance(TimeSpan.FromHours(1));
        await app.RunDueStepsAsync();
        Assert.Equal(["one", "receipt", "three", "two"], Steps(app, id));
    }

    [Fact]
    public async Task DomainThrottle_SpreadsEmailsToOneDomainOverMinutes()
    {
        var (app, clock) = await StartAsync(new() { ["Nurture:DomainThrottlePerMinute"] = "2" }, withReceipt: false);
        await using var _ = app;
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await app.CreateLeadAsync(new { email = $"t{i}.{tag}@throttled.example" }))["id"]!.GetValue<string>());

        await app.RunDueStepsAsync();
        var firstMinute = ids.Sum(id => Steps(app, id).Count);
        clock.Advance(TimeSpan.FromMinutes(1));
        await app.RunDueStepsAsync();
        var secondMinute = ids.Sum(id => Steps(app, id).Count);

        Assert.Equal(2, firstMinute);
        Assert.Equal(4, secondMinute);
        var delays = app.Db(db => db.Activities.Where(a => a.Kind == "email_delayed").Select(a => a.DataJson).ToList());
        Assert.Contains(delays, d => d.Contains("domain throttle: 2 emails per minute to throttled.example"));
    }

    [Fact]
    public async Task Holiday_NoMarketingEmailOnThatDateInTheLeadsZone_ItWaitsForTheNextDay_AndTheTimelineSaysWhy()
    {
        // 23:30 UTC on 24 December: already the 25th in Berlin, still the 24th in New York.
        var (app, clock) = await StartAsync(new() { ["Nurture:Holidays:0"] = "2026-12-25" }, withReceipt: false);
        await using var _ = app;
        clock.SetUtcNow(DateTimeOffset.Parse("2026-12-24T23:30:00Z"));
        var berlin = (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("berlin"), timeZone = "Europe/Berlin" }))["id"]!.GetValue<string>();
        var newYork = (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("newyork"), timeZone = "America/New_York" }))["id"]!.GetValue<string>();

        await app.RunDueStepsAsync();

        Assert.Equal(["one", "three", "two"], Steps(app, newYork));
        Assert.Empty(Steps(app, berlin));
        var delayed = (await app.TimelineAsync(berlin)).First(e => e!["kind"]!.GetValue<string>() == "email_delayed")!;
        Assert.Equal("holiday 2026-12-25", delayed["data"]!["reason"]!.GetValue<string>());
        var midnightInBerlin = DateTimeOffset.Parse("2026-12-25T23:00:00Z");
        Assert.Equal(midnightInBerlin, delayed["data"]!["until"]!.GetValue<DateTimeOffset>());

        clock.SetUtcNow(midnightInBerlin.AddMinutes(-1));
        await app.RunDueStepsAsync();
        Assert.Empty(Steps(app, berlin));

        clock.SetUtcNow(midnightInBerlin);
        await app.RunDueStepsAsync();
        Assert.Equal(["one", "three", "two"], Steps(app, berlin));
    }

    [Fact]
    public async Task GlobalSendRate_AcrossAllSenders_ReleasesOneEmailPerTwoSeconds_NoneDropped_LongWaitsOnTheTimeline()
    {
        var (app, clock) = await StartAsync(new() { ["Nurture:SendRatePerSecond"] = "0.5" }, withReceipt: false);
        await using var _ = app;
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await app.CreateLeadAsync(new { email = $"r{i}.{tag}@example.com" }))["id"]!.GetValue<string>());
        await app.RunDueStepsAsync();
        Assert.Equal(9, app.Db(db => db.Messages.Count(m => m.ToAddress.Contains(tag))));
        var sender = app.Services.GetRequiredService<OutboxSender>();
        // Taken by a sender (the in-process Hangfire worker or this test): no longer scheduled, or leased.
        int Taken() => app.Db(db => db.Messages.Count(m => m.ToAddress.Contains(tag) && (m.Status != MessageStatus.Scheduled || m.LeaseOwner != null)));

        for (var second = 0; second <= 16; second += 2)
        {
            // The bucket row is locked while tokens are taken: once this claim returns, every other claim at this instant is settled.
            await sender.SendDueBatchAsync(50, CancellationToken.None);
            Assert.Equal(second / 2 + 1, Taken());
            clock.Advance(TimeSpan.FromSeconds(2));
        }

        await Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.Messages.Count(m => m.ToAddress.Contains(tag) && m.Status == MessageStatus.Sent))),
            n => n == 9, 60, "all nine emails sent");
        var leadIds = ids.Select(Guid.Parse).ToList();
        var delays = app.Db(db => db.Activities.Where(a => a.Kind == "email_delayed" && leadIds.Contains(a.LeadId)).Select(a => a.DataJson).ToList());
        // Released at 10, 12, 14 and 16 s after they were due: each says why and until when.
        Assert.Equal(4, delays.Count);
        Assert.All(delays, d => Assert.Contains("global send rate: 0.5 emails per second", d));
    }

    [Fact]
    public async Task AnEmailWhoseRenderingTimesOut_IsRetriedLaterWithTheReason_NotDropped_UntilTheRetriesAreUsedUp()
    {
        // As on a starved machine: a legitimate loop cannot finish within the render time limit.
        var (app, clock) = await StartAsync(new() { ["Nurture:RenderTimeoutMilliseconds"] = "1" }, withReceipt: false);
        await using var _ = app;
        (await app.Api().PutAsJsonAsync("/api/v1/templates/heavy", new { name = "Heavy", subject = "Heavy",
            // Each of the 9,999 steps copies a 90,000-character string: no machine finishes within 1 ms.
            html = "{{ s = 'ab' | string.pad_left 90000 }}{{ for i in 1..9999 }}{{ t = s | string.replace 'a' 'c' }}{{ end }}done" })).EnsureSuccessStatusCode();
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse("""
            { "name": "Heavy", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "slow", "type": "email", "template": "heavy" } ] }
            """))).EnsureSuccessStatusCode();
        var id = (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("heavy") }))["id"]!.GetValue<string>();

        for (var attempt = 0; attempt <= RenderRetry.MaxRetries; attempt++)
        {
            await app.RunDueStepsAsync();
            clock.Advance(TimeSpan.FromMinutes(16));
        }

        var timeline = await app.TimelineAsync(id);
        var retries = timeline.Where(e => e!["kind"]!.GetValue<string>() == "email_delayed").Select(e => e!["data"]!["reason"]!.GetValue<string>()).ToList();
        Assert.Equal(RenderRetry.MaxRetries, retries.Count);
        Assert.All(retries, r => Assert.StartsWith("render timeout", r));
        Assert.Contains("rendering took longer", timeline.Single(e => e!["kind"]!.GetValue<string>() == "email_failed")!["summary"]!.GetValue<string>());
        Assert.Empty(Steps(app, id));
    }
}
