using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>Editing a live sequence: waiting leads keep their version unless the author migrates them by step id.</summary>
[Collection(AppCollection.Name)]
public sealed class SequenceVersionTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static JsonNode Definition(string lastStep, bool migrate = false) => JsonNode.Parse($$"""
        { "name": "Onboarding", "trigger": { "type": "event", "event": "joined" }, "migrate": {{(migrate ? "true" : "false")}},
          "steps": [ { "id": "a", "type": "email", "template": "welcome" },
                     { "id": "pause", "type": "wait", "duration": "PT1H" },
                     {{lastStep}} ] }
        """)!;

    private int OnVersion(int version) => _app.Db(db => db.Enrollments.Count(e => e.Status == EnrollmentStatus.Active
        && db.SequenceVersions.Any(v => v.Id == e.SequenceVersionId && v.Version == version && db.Sequences.Any(s => s.Id == v.SequenceId && s.Key == "onboarding"))));

    [Fact]
    public async Task WaitingLeadsFinishOnTheirVersion_NewOnesUseTheNew_MigrateMovesThemByStepId_AndImpactCountsMatch()
    {
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/onboarding", Definition("""{ "id": "b", "type": "email", "template": "follow-up" }"""))).EnsureSuccessStatusCode();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var events = Enumerable.Range(0, 100).Select(i => new { email = $"v{i}.{tag}@example.com", type = "joined" });
        (await _app.Api().PostAsJsonAsync("/api/v1/events", new { events })).EnsureSuccessStatusCode();
        await Eventually.GetAsync(() => Task.FromResult(_app.Db(db => db.Enrollments.Count(e => e.CurrentStepId == "pause" && e.WaitUntil != null && db.Sequences.Any(s => s.Id == e.SequenceId && s.Key == "onboarding")))),
            n => n == 100, 60, "100 leads waiting at step pause");

        var v2 = Definition("""{ "id": "c", "type": "email", "template": "mql-nurture" }""");
        var impact = (await (await _app.Api().PostAsJsonAsync("/api/v1/sequences/onboarding/impact", v2)).Content.ReadFromJsonAsync<JsonObject>())!;
        var row = impact["waiting"]!.AsArray().Single()!;
        Assert.Equal("pause", row["step"]!.GetValue<string>());
        Assert.Equal(100, row["leads"]!.GetValue<int>());
        Assert.Contains("move to version 2 at step pause", row["ifMigrated"]!.GetValue<string>());
        Assert.Equal(["c"], impact["addedSteps"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["b"], impact["removedSteps"]!.AsArray().Select(s => s!.GetValue<string>()));

        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/onboarding", v2)).EnsureSuccessStatusCode();
        (await _app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { email = $"late.{tag}@example.com", type = "joined" } } })).EnsureSuccessStatusCode();
        await Eventually.GetAsync(() => Task.FromResult(OnVersion(2)), n => n == 1, 30, "the new lead on version 2");
        Assert.Equal(100, OnVersion(1));

        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/onboarding", Definition("""{ "id": "c", "type": "email", "template": "mql-nurture" }""", migrate: true))).EnsureSuccessStatusCode();

        Assert.Equal(0, OnVersion(1));
        Assert.Equal(101, OnVersion(3));
        var stored = await _app.Api().GetFromJsonAsync<JsonObject>("/api/v1/sequences/onboarding");
        Assert.Null(stored!["migrate"]);
        Assert.Equal(3, stored["version"]!.GetValue<int>());
    }
}
