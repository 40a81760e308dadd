using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>
/// Editing a live sequence: waiting leads finish on the version they entered, new leads take the new one,
/// and <c>migrate</c> moves waiting leads by step id; the impact preview says so beforehand, with counts.
/// What each lead receives is read at the SMTP server. A web-only app on a fake clock: the test runs the
/// steps and the outbox itself.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SequenceVersionTests
{
    private static JsonNode Definition(string lastStep, bool migrate = false) => JsonNode.Parse($$"""
        { "name": "Onboarding", "trigger": { "type": "event", "event": "joined" }, "migrate": {{(migrate ? "true" : "false")}},
          "steps": [ { "id": "a", "type": "email", "template": "welcome" },
                     { "id": "pause", "type": "wait", "duration": "PT1H" },
                     {{lastStep}} ] }
        """)!;

    private const string FollowUp = """{ "id": "c", "type": "email", "template": "follow-up" }""";
    private const string Guide = """{ "id": "c", "type": "email", "template": "mql-nurture" }""";

    [Fact]
    public async Task WaitingLeadsFinishOnTheirVersion_NewOnesUseTheNew_MigrateMovesThemByStepId_AndImpactCountsMatch()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        async Task JoinAsync(string prefix, int count)
        {
            var events = Enumerable.Range(0, count).Select(i => new { email = $"{prefix}{i}@example.com", type = "joined" });
            (await app.Api().PostAsJsonAsync("/api/v1/events", new { events })).EnsureSuccessStatusCode();
            await app.RunDueAsync();
        }
        int OnVersion(int version) => app.Db(db => db.Enrollments.Count(e => e.Status == EnrollmentStatus.Active
            && db.SequenceVersions.Any(v => v.Id == e.SequenceVersionId && v.Version == version && db.Sequences.Any(s => s.Id == v.SequenceId && s.Key == "onboarding"))));
        async Task<JsonObject> ImpactAsync(JsonNode definition) =>
            (await (await app.Api().PostAsJsonAsync("/api/v1/sequences/onboarding/impact", definition)).Content.ReadFromJsonAsync<JsonObject>())!;
        var tag = Guid.NewGuid().ToString("N")[..8];

        // Version 1: welcome, an hour, the follow-up. 100 leads get the welcome and wait.
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/onboarding", Definition("""{ "id": "b", "type": "email", "template": "follow-up" }"""))).EnsureSuccessStatusCode();
        await JoinAsync($"first.{tag}.", 100);
        Assert.Equal(100, OnVersion(1));

        // Version 2 replaces the follow-up with the guide. The preview counts the 100 and says where each choice leads.
        var impact = await ImpactAsync(Definition(Guide));
        var row = impact["waiting"]!.AsArray().Single()!;
        Assert.Equal(("pause", 1, 100), (row["step"]!.GetValue<string>(), row["fromVersion"]!.GetValue<int>(), row["leads"]!.GetValue<int>()));
        Assert.Equal("continue on version 1: wait PT1H → email follow-up → end", row["ifSaved"]!.GetValue<string>());
        Assert.Equal("move to version 2 at step pause: wait PT1H → email mql-nurture → end", row["ifMigrated"]!.GetValue<string>());
        Assert.False(row["stepChanged"]!.GetValue<bool>());
        Assert.Equal(["c"], impact["addedSteps"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["b"], impact["removedSteps"]!.AsArray().Select(s => s!.GetValue<string>()));

        // Saved without migrate: the 100 finish on version 1 (the follow-up), a new lead takes version 2 (the guide).
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/onboarding", Definition(Guide))).EnsureSuccessStatusCode();
        await JoinAsync($"second.{tag}.", 100);
        Assert.Equal((100, 100), (OnVersion(1), OnVersion(2)));
        clock.Advance(TimeSpan.FromMinutes(30));
        await JoinAsync($"third.{tag}.", 1);
        clock.Advance(TimeSpan.FromMinutes(31));
        await app.RunDueAsync();
        Assert.Equal(new() { ["welcome"] = 100, ["follow-up"] = 100 }, Counts($"first.{tag}."));
        Assert.Equal(new() { ["welcome"] = 100, ["guide"] = 100 }, Counts($"second.{tag}."));

        // Version 3 with migrate: the one lead still waiting on version 2 moves (its step "pause" exists) and
        // gets version 3's follow-up instead of version 2's guide; the timeline says it moved.
        var v3 = Definition(FollowUp, migrate: true);
        row = (await ImpactAsync(v3))["waiting"]!.AsArray().Single()!;
        Assert.Equal(("pause", 2, 1), (row["step"]!.GetValue<string>(), row["fromVersion"]!.GetValue<int>(), row["leads"]!.GetValue<int>()));
        Assert.Equal("move to version 3 at step pause: wait PT1H → email follow-up → end", row["ifMigrated"]!.GetValue<string>());
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/onboarding", v3)).EnsureSuccessStatusCode();
        Assert.Equal((0, 1), (OnVersion(2), OnVersion(3)));
        var leadId = app.Db(db => db.Leads.Single(l => l.Email == $"third.{tag}.0@example.com").Id).ToString();
        var moved = (await app.TimelineAsync(leadId)).Single(e => e!["kind"]!.GetValue<string>() == "enrollment_migrated")!;
        Assert.Equal((3, "pause"), (moved["data"]!["toVersion"]!.GetValue<int>(), moved["data"]!["step"]!.GetValue<string>()));
        clock.Advance(TimeSpan.FromMinutes(30));
        await app.RunDueAsync();
        Assert.Equal(["welcome", "follow-up"], Received($"third.{tag}."));

        var stored = await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/sequences/onboarding");
        Assert.Null(stored!["migrate"]);
        Assert.Equal(3, stored["version"]!.GetValue<int>());
    }

    private static Dictionary<string, int> Counts(string recipients) =>
        Received(recipients).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Which template each email to these leads came from, read from the subjects at the SMTP server.</summary>
    private static List<string> Received(string recipients) =>
        MailSink.Envelopes(recipients).OrderBy(e => e.Subject.StartsWith("Welcome", StringComparison.Ordinal) ? 0 : 1)
            .Select(e => e.Subject switch
            {
                var s when s.StartsWith("Welcome", StringComparison.Ordinal) => "welcome",
                var s when s.Contains("chance to look", StringComparison.Ordinal) => "follow-up",
                var s when s.Contains("guide picked", StringComparison.Ordinal) => "guide",
                var s => s,
            }).ToList();
}
