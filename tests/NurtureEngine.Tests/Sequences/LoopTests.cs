using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>
/// A loop with a wait ("a tip every week until they buy") sends its email once each time round, never
/// twice in one round, and stops when exitWhen holds. Fake clock, web-only app.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class LoopTests
{
    [Fact]
    public async Task AWeeklyLoop_SendsItsEmailOnceEachRound_SaysWhichRound_AndStopsWhenTheLeadBuys()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/weekly-tips", JsonNode.Parse("""
            { "name": "Weekly tips", "trigger": { "type": "manual" },
              "exitWhen": [ { "type": "has_tag", "tag": "customer" } ],
              "steps": [ { "id": "tip", "type": "email", "template": "follow-up" },
                         { "id": "week", "type": "wait", "duration": "P7D" },
                         { "id": "again", "type": "goto", "to": "tip" } ] }
            """))).EnsureSuccessStatusCode();
        var email = NurtureApp.UniqueEmail("tips");
        var id = (await app.CreateLeadAsync(new { email, firstName = "Tia" }))["id"]!.GetValue<string>();
        (await app.Api().PostAsJsonAsync("/api/v1/sequences/weekly-tips/enroll", new { leadId = id })).EnsureSuccessStatusCode();
        int Tips() => MailSink.For(email).Count(m => m.Message.Subject == "Tia, did you get a chance to look?");

        await app.RunDueAsync();
        await app.RunDueAsync();                                  // running again at the same moment sends nothing more
        Assert.Equal(1, Tips());
        for (var round = 2; round <= 3; round++)
        {
            clock.Advance(TimeSpan.FromDays(7));
            await app.RunDueAsync();
            await app.RunDueAsync();
            Assert.Equal(round, Tips());
        }
        var gotos = (await app.TimelineAsync(id)).Where(e => e!["kind"]!.GetValue<string>() == "goto")
            .Select(e => e!["summary"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["\"Weekly tips\" step again: going to tip (round 2)", "\"Weekly tips\" step again: going to tip (round 3)"], gotos);
        Assert.Equal([0, 1, 2], app.Db(db => db.Messages.Where(m => m.LeadId == Guid.Parse(id)).Select(m => m.Pass).OrderBy(p => p).ToList()));

        (await app.Api().PostAsJsonAsync("/api/v1/leads", new { email, tags = new[] { "customer" } })).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromDays(7));
        await app.RunDueAsync();
        Assert.Equal(3, Tips());
        Assert.Contains("exit condition has_tag customer holds", (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "exited")!["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task InALoop_AConditionOnAStepsEmail_LooksAtThisRoundsEmail_NotAnEarlierOne()
    {
        await using var app = await NurtureApp.StartAsync();
        await app.QuietDemoSequencesAsync();
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/digest", JsonNode.Parse("""
            { "name": "Digest", "trigger": { "type": "manual" },
              "steps": [ { "id": "digest", "type": "email", "template": "mql-nurture" },
                         { "id": "day", "type": "wait", "duration": "P1D" },
                         { "id": "read?", "type": "branch", "if": { "type": "opened", "step": "digest" }, "then": "again", "else": "nudge" },
                         { "id": "nudge", "type": "email", "template": "follow-up" },
                         { "id": "again", "type": "goto", "to": "digest" } ] }
            """))).EnsureSuccessStatusCode();

        // Opened in the first round only; the simulation covers two and a half rounds.
        var response = await app.Api().PostAsJsonAsync("/api/v1/sequences/digest/simulate", new
        {
            lead = new { email = "loop@example.com", firstName = "Lou" },
            events = new[] { new { after = "PT1H", type = "email_opened", step = "digest" } },
            horizon = "P2DT12H",
        });

        var timeline = (await response.Content.ReadFromJsonAsync<JsonObject>())!["timeline"]!.AsArray();
        var branches = timeline.Where(e => e!["kind"]!.GetValue<string>() == "branch").Select(e => e!["data"]!["result"]!.GetValue<bool>()).ToList();
        Assert.Equal([true, false], branches);
        Assert.Single(timeline, e => e!["kind"]!.GetValue<string>() == "email_sent" && e["summary"]!.GetValue<string>().Contains("did you get a chance"));
    }
}
