using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>
/// Pausing a live sequence: every lead keeps its place, nothing is sent (not even email queued before
/// the pause), and resuming goes on from there without sending anything twice. A web-only app on a fake
/// clock: the test runs the steps and the outbox itself, so it sees each moment.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PauseTests
{
    [Fact]
    public async Task PausingHoldsEveryLeadAtItsStep_AndItsQueuedEmail_ResumingGoesOnWithoutSendingTwice()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/paced", JsonNode.Parse("""
            { "name": "Paced", "trigger": { "type": "manual" },
              "steps": [ { "id": "first", "type": "email", "template": "welcome" },
                         { "id": "pause", "type": "wait", "duration": "PT1H" },
                         { "id": "second", "type": "email", "template": "follow-up" } ] }
            """))).EnsureSuccessStatusCode();
        async Task<string> EnrollAsync(string email)
        {
            var id = (await app.CreateLeadAsync(new { email, firstName = "Pia" }))["id"]!.GetValue<string>();
            (await app.Api().PostAsJsonAsync("/api/v1/sequences/paced/enroll", new { leadId = id })).EnsureSuccessStatusCode();
            await app.RunDueStepsAsync();
            return id;
        }

        var early = NurtureApp.UniqueEmail("early");
        var earlyId = await EnrollAsync(early);
        Assert.Equal(1, await app.SendDueEmailsAsync());                       // early: welcome sent, now waiting at "pause"
        var queued = NurtureApp.UniqueEmail("queued");
        var queuedId = await EnrollAsync(queued);                 // queued: welcome in the outbox, not sent yet

        (await app.Api().PostAsync("/api/v1/sequences/paced/pause", null)).EnsureSuccessStatusCode();
        (await app.Api().PostAsync("/api/v1/sequences/paced/pause", null)).EnsureSuccessStatusCode(); // twice: recorded once
        var late = NurtureApp.UniqueEmail("late");
        var lateId = await EnrollAsync(late);                     // enrolled while paused: stays at "first"
        clock.Advance(TimeSpan.FromHours(2));
        await app.RunDueStepsAsync();

        Assert.Equal(0, await app.SendDueEmailsAsync());
        Assert.Empty(MailSink.For(queued));
        Assert.Empty(MailSink.For(late));
        Assert.Single(MailSink.For(early));
        var paused = (await app.TimelineAsync(earlyId)).Single(e => e!["kind"]!.GetValue<string>() == "sequence_paused")!;
        Assert.Equal("pause", paused["data"]!["step"]!.GetValue<string>());
        Assert.Contains("\"Paced\" paused", paused["summary"]!.GetValue<string>());
        Assert.Contains("waiting at step pause", paused["summary"]!.GetValue<string>());
        Assert.DoesNotContain("sequence_paused", await app.KindsAsync(lateId)); // it joined after the pause

        (await app.Api().PostAsync("/api/v1/sequences/paced/resume", null)).EnsureSuccessStatusCode();
        await app.RunDueStepsAsync();
        await app.SendDueEmailsAsync();

        Assert.Equal(["Pia, did you get a chance to look?", "Welcome, Pia!"], Subjects(early));
        Assert.Equal(["Pia, did you get a chance to look?", "Welcome, Pia!"], Subjects(queued)); // its hour passed while paused
        Assert.Equal(["Welcome, Pia!"], Subjects(late));                                            // its hour starts now
        foreach (var id in new[] { earlyId, queuedId, lateId })
            Assert.Single(await app.KindsAsync(id), k => k == "sequence_resumed");
        Assert.Single(await app.KindsAsync(earlyId), k => k == "sequence_paused");
    }

    /// <summary>
    /// The step runner hands its emails straight to the drain's SMTP lanes; a pause that lands after the hand-off and
    /// before a lane sends takes them back: nothing goes out while paused, and each goes out once after the resume.
    /// </summary>
    [Fact]
    public async Task APauseTakesBackEmailAlreadyHandedToTheLanes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/handed", JsonNode.Parse("""
            { "name": "Handed", "trigger": { "type": "manual" },
              "steps": [ { "id": "first", "type": "email", "template": "welcome" }, { "id": "pause", "type": "wait", "duration": "PT1H" } ] }
            """))).EnsureSuccessStatusCode();
        var emails = Enumerable.Range(0, 3).Select(i => NurtureApp.UniqueEmail($"handed{i}")).ToList();
        foreach (var email in emails)
        {
            var id = (await app.CreateLeadAsync(new { email, firstName = "Pia" }))["id"]!.GetValue<string>();
            (await app.Api().PostAsJsonAsync("/api/v1/sequences/handed/enroll", new { leadId = id })).EnsureSuccessStatusCode();
        }

        var sender = app.Services.GetRequiredService<NurtureEngine.Mail.OutboxSender>();
        var handoff = sender.OpenHandoff(100)!;
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<NurtureEngine.Sequences.SequenceRunner>().RunDueBatchAsync(CancellationToken.None, handoff);
        Assert.False(handoff.HasRoomFor(100 - emails.Count + 1)); // handed off
        (await app.Api().PostAsync("/api/v1/sequences/handed/pause", null)).EnsureSuccessStatusCode();
        using (var finished = NurtureEngine.Common.WorkProgress.Finished())
            await sender.SendDueAsync(10, finished, DateTimeOffset.MaxValue, CancellationToken.None, handoff: handoff);
        Assert.All(emails, e => Assert.Empty(MailSink.For(e)));

        (await app.Api().PostAsync("/api/v1/sequences/handed/resume", null)).EnsureSuccessStatusCode();
        await app.RunDueAsync();
        Assert.All(emails, e => Assert.Equal(["Welcome, Pia!"], Subjects(e)));
    }

    private static List<string> Subjects(string email) =>
        MailSink.For(email).Select(m => m.Message.Subject!).Order(StringComparer.Ordinal).ToList();
}
