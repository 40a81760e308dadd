using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Tests.Infrastructure;
using NurtureEngine.Timeline;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// Many writers on one lead at once — API calls, event batches, single events, sequence steps on the worker —
/// and nothing any of them did is lost: scores sum and their ledger is one unbroken chain, every tag and
/// attribute key is kept, a threshold fires exactly once, and stage moves are a chain too.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class LeadConcurrencyTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartAsync();
        await _app.QuietDemoSequencesAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task PutScoringAsync(int threshold) =>
        Assert.Equal(HttpStatusCode.OK, (await _app.Api().PutAsJsonAsync("/api/v1/scoring", new
        {
            rules = new[] { new { @event = "ping", points = 1 } },
            thresholds = new[] { new { pipeline = "default", fromStage = "lead", score = threshold, stage = "mql" } },
        })).StatusCode);

    /// <summary>Runs every call, at most <paramref name="parallel"/> at a time, and asserts each was accepted.</summary>
    private static async Task HammerAsync(int parallel, IEnumerable<Func<Task<HttpResponseMessage>>> calls)
    {
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (call, _) =>
        {
            using var response = await call();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        });
    }

    private List<(int From, int To, int Points)> Ledger(Guid leadId) => _app.Db(db => db.Activities.AsNoTracking()
            .Where(a => a.LeadId == leadId && a.Kind == ActivityKind.ScoreChanged).OrderBy(a => a.Id).Select(a => a.DataJson).ToList())
        .Select(json => JsonNode.Parse(json)!)
        .Select(d => (d["from"]!.GetValue<int>(), d["to"]!.GetValue<int>(), d["points"]!.GetValue<int>())).ToList();

    /// <summary>Each entry starts where the one before it ended: no two writers read the same score.</summary>
    private static void AssertUnbrokenChain(List<(int From, int To, int Points)> ledger, int finalScore)
    {
        var score = 0;
        foreach (var (from, to, points) in ledger)
        {
            Assert.Equal(score, from);
            Assert.Equal(from + points, to);
            score = to;
        }
        Assert.Equal(finalScore, score);
    }

    private int ScoreThresholdMoves(Guid leadId) => _app.Db(db => db.StageChanges.Count(c => c.LeadId == leadId && c.Cause == "score"));

    [Fact]
    public async Task EventsFromManyRequestsAndBatches_AllScore_AndTheThresholdFiresOnce()
    {
        await PutScoringAsync(threshold: 150);
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("hammered") });
        var id = Guid.Parse(lead["id"]!.GetValue<string>());
        var email = lead["email"]!.GetValue<string>();

        // 200 requests of one event each (half by id, half by email: both lookups), and 20 batches of 5 events naming the lead.
        var calls = Enumerable.Range(0, 200).Select(i => (Func<Task<HttpResponseMessage>>)(() => _app.Api().PostAsJsonAsync("/api/v1/events", new
            {
                events = new[] { i % 2 == 0 ? (object)new { leadId = id, type = "ping" } : new { email, type = "ping" } },
            })))
            .Concat(Enumerable.Range(0, 20).Select(_ => (Func<Task<HttpResponseMessage>>)(() => _app.Api().PostAsJsonAsync("/api/v1/events", new
            {
                events = Enumerable.Range(0, 5).Select(j => j % 2 == 0 ? (object)new { leadId = id, type = "ping" } : new { email, type = "ping" }),
            }))));
        await HammerAsync(parallel: 32, calls);

        var final = (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;
        Assert.Equal(300, final["score"]!.GetValue<int>());
        var ledger = Ledger(id);
        Assert.Equal(300, ledger.Count);
        AssertUnbrokenChain(ledger, 300);
        Assert.Equal("mql", final["stage"]!.GetValue<string>());
        Assert.Equal(1, ScoreThresholdMoves(id));
    }

    [Fact]
    public async Task UpsertsOfOneLeadAtOnce_KeepEveryTagAndAttributeKey()
    {
        var email = NurtureApp.UniqueEmail("merged");
        await _app.CreateLeadAsync(new { email });

        await HammerAsync(parallel: 32, Enumerable.Range(0, 120).Select(i => (Func<Task<HttpResponseMessage>>)(() =>
            _app.Api().PostAsJsonAsync("/api/v1/leads", new
            {
                email, tags = new[] { $"t{i}" }, attributes = new Dictionary<string, object> { [$"k{i}"] = i },
            }))));

        var lead = _app.Db(db => db.Leads.AsNoTracking().Single(l => l.EmailNormalized == email));
        Assert.Equal(Enumerable.Range(0, 120).Select(i => $"t{i}").Order(), lead.Tags.Order());
        var attributes = JsonNode.Parse(lead.AttributesJson)!.AsObject();
        Assert.Equal(Enumerable.Range(0, 120).Select(i => $"k{i}").Order(), attributes.Select(a => a.Key).Order());
        Assert.All(Enumerable.Range(0, 120), i => Assert.Equal(i, attributes[$"k{i}"]!.GetValue<int>()));
    }

    [Fact]
    public async Task SequenceStepsOnTheWorker_AndEventsFromTheApi_OnOneLead_AllCount()
    {
        await PutScoringAsync(threshold: 1000);
        // Ten sequences, each giving the lead points and a tag of its own, run by the Hangfire worker
        // while events and API updates for the same lead arrive.
        for (var s = 0; s < 10; s++)
            Assert.True((await _app.Api().PutAsJsonAsync($"/api/v1/sequences/shaper-{s}", new
            {
                name = $"shaper {s}", trigger = new { type = "manual" },
                steps = new object[]
                {
                    new { id = "plus", type = "score", points = 7 },
                    new { id = "mark", type = "tag", add = new[] { $"seq-{s}" } },
                    new { id = "more", type = "score", points = 3 },
                },
            })).IsSuccessStatusCode);
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("shared") });
        var id = Guid.Parse(lead["id"]!.GetValue<string>());
        var email = lead["email"]!.GetValue<string>();

        var calls = Enumerable.Range(0, 10).Select(s => (Func<Task<HttpResponseMessage>>)(() =>
                _app.Api().PostAsJsonAsync($"/api/v1/sequences/shaper-{s}/enroll", new { leadId = id })))
            .Concat(Enumerable.Range(0, 150).Select(_ => (Func<Task<HttpResponseMessage>>)(() =>
                _app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { leadId = id, type = "ping" } } }))))
            .Concat(Enumerable.Range(0, 30).Select(i => (Func<Task<HttpResponseMessage>>)(() =>
                _app.Api().PostAsJsonAsync("/api/v1/leads", new { email, tags = new[] { $"api-{i}" } }))))
            .OrderBy(_ => Random.Shared.Next());
        await HammerAsync(parallel: 16, calls);

        // The worker finishes the sequences (each run is three steps, no wait).
        var final = await Eventually.GetAsync(() => _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}")!,
            l => l!["score"]!.GetValue<int>() >= 250, 60, "the sequences' points on the lead");
        Assert.Equal(150 + 10 * 10, final!["score"]!.GetValue<int>());
        AssertUnbrokenChain(Ledger(id), 250);
        var tags = final["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToHashSet();
        Assert.All(Enumerable.Range(0, 10), s => Assert.Contains($"seq-{s}", tags));
        Assert.All(Enumerable.Range(0, 30), i => Assert.Contains($"api-{i}", tags));
    }

    [Fact]
    public async Task StageMovesAtOnce_AreOneChain()
    {
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("mover") });
        var id = Guid.Parse(lead["id"]!.GetValue<string>());
        string[] stages = ["mql", "sql", "opportunity", "lead"];

        await HammerAsync(parallel: 16, Enumerable.Range(0, 80).Select(i => (Func<Task<HttpResponseMessage>>)(() =>
            _app.Api().PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage = stages[i % stages.Length] }))));

        var moves = _app.Db(db => db.StageChanges.AsNoTracking().Where(c => c.LeadId == id).OrderBy(c => c.At).ThenBy(c => c.Id)
            .Select(c => new { c.FromStageId, c.ToStageId }).ToList());
        for (var i = 1; i < moves.Count; i++)
            Assert.Equal(moves[i - 1].ToStageId, moves[i].FromStageId);
        var current = _app.Db(db => db.Leads.AsNoTracking().Single(l => l.Id == id).StageId);
        Assert.Equal(moves[^1].ToStageId, current);
    }
}
