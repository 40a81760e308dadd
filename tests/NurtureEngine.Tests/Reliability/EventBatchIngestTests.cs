using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Tests.Infrastructure;
using NurtureEngine.Timeline;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// Event batches (<c>POST /api/v1/events</c>), whose leads are replayed in memory and written set-based: a
/// replayed batch stores nothing twice, a batch may mix new and existing leads, and concurrent batches over
/// the same leads (in opposite orders) all complete with every point counted and a threshold crossed once.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EventBatchIngestTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartAsync();
        await _app.QuietDemoSequencesAsync();
        Assert.Equal(HttpStatusCode.OK, (await _app.Api().PutAsJsonAsync("/api/v1/scoring", new
        {
            rules = new[] { new { @event = "ping", points = 1 } },
            thresholds = new[] { new { pipeline = "default", fromStage = "lead", score = 30, stage = "mql" } },
        })).StatusCode);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> PostAsync(IEnumerable<object> events)
    {
        using var response = await _app.Api().PostAsJsonAsync("/api/v1/events", new { events });
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<List<(Guid Id, string Email)>> LeadsAsync(string name, int count)
    {
        var leads = new List<(Guid, string)>();
        for (var i = 0; i < count; i++)
        {
            var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail($"{name}{i}") });
            leads.Add((Guid.Parse(lead["id"]!.GetValue<string>()), lead["email"]!.GetValue<string>()));
        }
        return leads;
    }

    private int Rows(Guid lead, string kind) => _app.Db(db => db.Activities.Count(a => a.LeadId == lead && a.Kind == kind));

    private async Task<JsonObject> LeadAsync(Guid id) => (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;

    [Fact]
    public async Task ABatchPostedTwice_StoresNothingTwice()
    {
        var existing = await LeadsAsync("replayed", 3);
        var newEmail = NurtureApp.UniqueEmail("replayed-new");
        var events = existing.SelectMany((l, i) => new object[]
            {
                new { leadId = l.Id, type = "ping", idempotencyKey = $"{l.Id}-ping" },
                new { email = l.Email, type = "page_read", idempotencyKey = $"{l.Id}-read", properties = new { path = "/docs" } },
            })
            .Append(new { email = newEmail, type = "ping", idempotencyKey = $"{newEmail}-ping" })
            .ToList();

        var first = await PostAsync(events);
        var second = await PostAsync(events);

        Assert.Equal(7, first["accepted"]!.GetValue<int>());
        Assert.Equal(0, second["accepted"]!.GetValue<int>());
        Assert.Equal(7, second["duplicates"]!.GetValue<int>());
        foreach (var (id, _) in existing)
        {
            Assert.Equal(1, (await LeadAsync(id))["score"]!.GetValue<int>());
            Assert.Equal(2, Rows(id, ActivityKind.Event));
            Assert.Equal(1, Rows(id, ActivityKind.ScoreChanged));
        }
        var created = _app.Db(db => db.Leads.AsNoTracking().Where(l => l.EmailNormalized == newEmail.ToLowerInvariant()).Select(l => l.Id).ToList());
        Assert.Single(created);
        Assert.Equal(1, Rows(created[0], ActivityKind.Event));
    }

    [Fact]
    public async Task ABatchMixingNewAndExistingLeads_ScoresThemAll_AndMovesTheOneThatCrossesTheThreshold()
    {
        var existing = await LeadsAsync("mixed", 2);
        var newEmails = Enumerable.Range(0, 3).Select(i => NurtureApp.UniqueEmail($"mixed-new{i}")).ToList();
        // The first existing lead gets 30 pings (crosses 30 once), the second 5, each new lead 2 and an unscored event.
        var events = Enumerable.Range(0, 30).Select(_ => (object)new { leadId = existing[0].Id, type = "ping" })
            .Concat(Enumerable.Range(0, 5).Select(_ => (object)new { email = existing[1].Email, type = "ping" }))
            .Concat(newEmails.SelectMany(e => new object[] { new { email = e, type = "ping" }, new { email = e, type = "signed_up" }, new { email = e, type = "ping" } }))
            .ToList();

        var result = await PostAsync(events);

        Assert.Equal(events.Count, result["accepted"]!.GetValue<int>());
        var crossed = await LeadAsync(existing[0].Id);
        Assert.Equal(30, crossed["score"]!.GetValue<int>());
        Assert.Equal("mql", crossed["stage"]!.GetValue<string>());
        Assert.Equal(1, _app.Db(db => db.StageChanges.Count(c => c.LeadId == existing[0].Id && c.Cause == "score")));
        var below = await LeadAsync(existing[1].Id);
        Assert.Equal(5, below["score"]!.GetValue<int>());
        Assert.Equal("lead", below["stage"]!.GetValue<string>());
        Assert.Equal(5, Rows(existing[1].Id, ActivityKind.ScoreChanged));
        foreach (var email in newEmails)
        {
            var lead = _app.Db(db => db.Leads.AsNoTracking().Single(l => l.EmailNormalized == email.ToLowerInvariant()));
            Assert.Equal(2, lead.Score);
            Assert.Equal(3, Rows(lead.Id, ActivityKind.Event));
            Assert.Equal(1, Rows(lead.Id, ActivityKind.Created));
            Assert.Equal(1, _app.Db(db => db.StageChanges.Count(c => c.LeadId == lead.Id && c.Cause == "created")));
        }
    }

    [Fact]
    public async Task ConcurrentBatchesOverTheSameLeads_AllComplete_EveryPointCounted_ThresholdOnce()
    {
        var leads = await LeadsAsync("contended", 20);
        // Each batch names every lead 10 times; half the batches in one order, half in the other, 6 at once.
        var batches = Enumerable.Range(0, 12).Select(b =>
        {
            var order = b % 2 == 0 ? leads : Enumerable.Reverse(leads).ToList();
            return Enumerable.Range(0, 10).SelectMany(_ => order.Select((l, i) => i % 2 == 0 ? (object)new { leadId = l.Id, type = "ping" } : new { email = l.Email, type = "ping" })).ToList();
        }).ToList();

        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (batch, _) =>
            Assert.Equal(batch.Count, (await PostAsync(batch))["accepted"]!.GetValue<int>()));

        foreach (var (id, _) in leads)
        {
            var lead = await LeadAsync(id);
            Assert.Equal(120, lead["score"]!.GetValue<int>());
            Assert.Equal("mql", lead["stage"]!.GetValue<string>());
            Assert.Equal(1, _app.Db(db => db.StageChanges.Count(c => c.LeadId == id && c.Cause == "score")));
            var ledger = _app.Db(db => db.Activities.AsNoTracking().Where(a => a.LeadId == id && a.Kind == ActivityKind.ScoreChanged)
                .OrderBy(a => a.Id).Select(a => a.DataJson).ToList()).Select(j => JsonNode.Parse(j)!).ToList();
            Assert.Equal(120, ledger.Count);
            Assert.Equal(Enumerable.Range(0, 120), ledger.Select(d => d["from"]!.GetValue<int>()));
        }
    }

    private async Task PutSequenceAsync(string key, object trigger, object[] exitWhen) =>
        (await _app.Api().PutAsJsonAsync($"/api/v1/sequences/{key}", new
        {
            name = key, trigger, exitWhen, steps = new object[] { new { id = "hold", type = "wait", duration = "P30D" }, new { id = "end", type = "exit" } },
        })).EnsureSuccessStatusCode();

    private async Task EnrollAsync(string sequence, Guid lead) =>
        (await _app.Api().PostAsJsonAsync($"/api/v1/sequences/{sequence}/enroll", new { leadId = lead })).EnsureSuccessStatusCode();

    /// <summary>What a lead's history says, in order: its timeline (kind and summary of what the move and the events wrote),
    /// stage changes, enrollments and score.</summary>
    private List<string> History(Guid lead) => _app.Db<List<string>>(db =>
    {
        string[] kinds = [ActivityKind.Event, ActivityKind.ScoreChanged, ActivityKind.StageChanged, ActivityKind.Enrolled, ActivityKind.NotEnrolled, ActivityKind.Exited];
        var rows = db.Activities.AsNoTracking().Where(a => a.LeadId == lead && kinds.Contains(a.Kind)).OrderBy(a => a.Id).Select(a => a.Kind + ": " + a.Summary).ToList();
        var changes = db.StageChanges.AsNoTracking().Where(c => c.LeadId == lead).OrderBy(c => c.Id)
            .Select(c => $"stage change {c.FromStageId}→{c.ToStageId} {c.Cause} left={c.LeftAt != null} converted={c.Converted} again={c.PreviousEntryAt != null}").ToList();
        var enrollments = db.Enrollments.AsNoTracking().Where(e => e.LeadId == lead).OrderBy(e => e.Id)
            .Select(e => $"enrollment {e.SequenceId} {e.Status} at {e.CurrentStepId}").ToList();
        var l = db.Leads.AsNoTracking().Single(x => x.Id == lead);
        return [.. rows, .. changes, .. enrollments, $"score {l.Score}, stage {l.StageId}, entered {(l.StageEnteredAt > l.CreatedAt ? "after" : "at")} creation"];
    });

    /// <summary>
    /// A threshold crossed inside a batch (moved set-based when nothing else reacts, else one by one) stores exactly what
    /// the same events posted one at a time store: the ledger, the move and its history, the sequences the stage starts
    /// (one enrolls, one the lead has been in says "not enrolled again"), and the exits the move causes.
    /// </summary>
    [Theory]
    [InlineData("sql")] // the watching sequence exits on another stage: nothing else reacts, the move is set-based
    [InlineData("mql")] // it exits on the stage the threshold moves to: the lead leaves it, as one by one
    public async Task AThresholdCrossedInABatch_StoresWhatTheSameEventsOneAtATimeStore(string watcherExitsOn)
    {
        var (batched, single) = (await LeadsAsync($"parity-{watcherExitsOn}", 2)) is var l ? (l[0].Id, l[1].Id) : default;
        await PutSequenceAsync("watching", new { type = "manual" }, [new { type = "stage_entered", stage = watcherExitsOn }]);
        await PutSequenceAsync("been-before", new { type = "manual" }, []);
        foreach (var lead in new[] { batched, single })
        {
            await EnrollAsync("watching", lead);
            await EnrollAsync("been-before", lead);
            (await _app.Api().PostAsJsonAsync("/api/v1/sequences/been-before/unenroll", new { leadId = lead })).EnsureSuccessStatusCode();
        }
        await PutSequenceAsync("been-before", new { type = "stage_entered", pipeline = "default", stage = "mql" }, []);
        await PutSequenceAsync("on-mql", new { type = "stage_entered", pipeline = "default", stage = "mql" },
            [new { type = "stage_entered", stage = "sql" }, new { type = "replied" }]);
        // 32 pings cross 30 at the 30th; the unscored events before and after stay in their place.
        object Ping(Guid lead) => new { leadId = lead, type = "ping" };
        object Read(Guid lead) => new { leadId = lead, type = "page_read" };
        List<object> Events(Guid lead) => [Read(lead), .. Enumerable.Range(0, 32).Select(_ => Ping(lead)), Read(lead)];

        await PostAsync(Events(batched));
        foreach (var e in Events(single)) await PostAsync([e]);

        var history = History(batched);
        Assert.Equal(History(single), history);
        var move = history.FindIndex(h => h.StartsWith("stage_changed: Moved from") && h.EndsWith("(score)"));
        Assert.True(move > 0, string.Join("\n", history));
        Assert.Contains("enrolled: Enrolled in \"on-mql\": entered stage mql (default)", history);
        Assert.Contains(history, h => h.StartsWith("not_enrolled: Not enrolled again in \"been-before\""));
        Assert.Equal(watcherExitsOn == "mql", history.Any(h => h.StartsWith("exited: Left \"watching\"")));
        Assert.StartsWith("score_changed: Score 29 → 30", history[move - 1]);
    }
}
