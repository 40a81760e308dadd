using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;
using NurtureEngine.Timeline;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// The clock jumps forward a day (a host suspended overnight, an NTP correction, a worker that was
/// down): every overdue step runs once, in order, even with several runners draining at once, and
/// the waits after it still count from when it ran (no burst of emails).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ClockJumpTests(ITestOutputHelper output)
{
    private const int Leads = 20;
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-23T10:00:00Z");
    private static readonly string[] StepOrder = ["welcome", "nudge", "last"];

    [Fact]
    public async Task AJumpOfADay_RunsEachOverdueStepOnce_InOrder_WithConcurrentRunners()
    {
        var clock = new FakeTimeProvider(Start);
        await using var app = await NurtureApp.StartAsync(clock: clock);
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse("""
            { "name": "Jumped", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "welcome", "type": "email", "template": "welcome" },
                         { "id": "wait1", "type": "wait", "duration": "PT1H" },
                         { "id": "nudge", "type": "email", "template": "follow-up" },
                         { "id": "wait2", "type": "wait", "duration": "PT2H" },
                         { "id": "last", "type": "email", "template": "mql-nurture" } ] }
            """))).EnsureSuccessStatusCode();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var emails = Enumerable.Range(0, Leads).Select(i => $"jump{i}.{tag}@example.com").ToList();
        var ids = new List<Guid>();
        foreach (var email in emails) ids.Add(Guid.Parse((await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>()));
        await app.RunDueStepsAsync();
        Assert.All(ids, id => Assert.Equal(["welcome"], StepsOf(app, id)));

        await OutboxSettledAsync(app);
        clock.Advance(TimeSpan.FromDays(1));
        // Three runners at once, besides the app's own Hangfire worker.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(app.RunDueStepsAsync)));
        Assert.All(ids, id => Assert.Equal(["welcome", "nudge"], StepsOf(app, id)));

        // The second wait counts from the overdue step, so "last" is not due yet...
        await OutboxSettledAsync(app);
        clock.Advance(TimeSpan.FromMinutes(119));
        await app.RunDueStepsAsync();
        Assert.All(ids, id => Assert.Equal(["welcome", "nudge"], StepsOf(app, id)));
        // ... and is, two hours after it.
        clock.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(app.RunDueStepsAsync)));
        Assert.All(ids, id => Assert.Equal(StepOrder, StepsOf(app, id)));

        // At the SMTP server: three emails per lead, each once, in the sequence's order.
        var received = 0;
        var duplicates = 0;
        foreach (var email in emails)
        {
            var mail = await MailSink.WaitForAsync(email, 3, 120);
            received += mail.Count;
            var subjects = mail.Select(m => m.Message.Subject).ToList();
            duplicates += subjects.Count - subjects.Distinct().Count();
            Assert.Equal(3, mail.Count);
        }
        Assert.Equal(0, duplicates);
        // The sink has them all; the last replies may still be being recorded.
        await Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Sent))), n => n == Leads * 3, 60, "every message recorded as sent");
        Assert.Equal(Leads * 3, app.Db(db => db.Messages.Count()));
        output.WriteLine($"leads {Leads}, emails expected {Leads * 3}, received {received}, duplicates {duplicates}, lost {Leads * 3 - received}");
    }

    /// <summary>
    /// The app's own worker has sent and recorded what is queued: the clock is moved only then, as a jump in
    /// the middle of an SMTP transaction would (rightly) leave that email "unknown" once its lease has run out.
    /// </summary>
    private static Task OutboxSettledAsync(NurtureApp app) =>
        Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Scheduled || m.Status == MessageStatus.Sending))),
            n => n == 0, 120, "the queued emails sent and recorded");

    /// <summary>The steps whose email was scheduled for the lead, in the order they were recorded.</summary>
    private static List<string?> StepsOf(NurtureApp app, Guid lead) =>
        app.Db(db => db.Activities.Where(a => a.LeadId == lead && a.Kind == ActivityKind.EmailScheduled).OrderBy(a => a.Id).Select(a => a.StepId).ToList());
}
