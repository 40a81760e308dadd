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
}
