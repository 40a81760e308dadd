using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>Hand-off stages: entering one assigns an owner from the team and gives them a task to accept the lead.</summary>
[Collection(AppCollection.Name)]
public sealed class HandoffTests : IAsyncLifetime
{
    private static readonly string[] Team = ["rep1@ourcompany.test", "rep2@ourcompany.test", "rep3@ourcompany.test"];
    private NurtureApp _app = null!;
    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<JsonObject> PutDefaultAsync(object? sqlHandoff, HttpStatusCode expected = HttpStatusCode.OK) =>
        _app.Api().SendAsync(HttpMethod.Put, "/api/v1/pipelines/default", new
        {
            name = "Sales pipeline",
            stages = new object[]
            {
                new { key = "lead", name = "Lead", probability = 10, kind = "open" },
                new { key = "mql", name = "Marketing qualified", probability = 20, kind = "open" },
                new { key = "sql", name = "Sales qualified", probability = 40, kind = "open", handoff = sqlHandoff },
                new { key = "opportunity", name = "Opportunity", probability = 60, kind = "open" },
                new { key = "customer", name = "Customer", probability = 100, kind = "won" },
                new { key = "lost", name = "Lost", probability = 0, kind = "lost" },
            },
        }, expected);

    [Fact]
    public async Task RoundRobin_SpreadsNineConcurrentLeads_ThreeToEachRep_EachWithAnAcceptTask()
    {
        await _app.QuietDemoSequencesAsync();
        var saved = await PutDefaultAsync(new { assign = "round_robin", team = Team, acceptWithin = "PT4H" });
        Assert.Equal("round_robin", saved["stages"]![2]!["handoff"]!["assign"]!.GetValue<string>());
        var leads = new List<string>();
        for (var i = 0; i < 9; i++) leads.Add(await _app.LeadAsync(NurtureApp.UniqueEmail("handoff")));

        var moves = await Task.WhenAll(leads.Select(id => _app.Api().PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "sql" })));
        Assert.All(moves, m => Assert.Equal(HttpStatusCode.OK, m.StatusCode));

        var owners = new List<string>();
        foreach (var id in leads)
        {
            var lead = await _app.Api().GetJsonAsync($"/api/v1/leads/{id}");
            owners.Add(lead["owner"]!.GetValue<string>());
            var assigned = (await _app.TimelineAsync(id)).Single(e => e!["kind"]!.GetValue<string>() == "handoff_assigned")!;
            Assert.Equal(lead["owner"]!.GetValue<string>(), assigned["data"]!["owner"]!.GetValue<string>());
        }
        Assert.Equal([3, 3, 3], Team.Select(t => owners.Count(o => o == t)).ToArray());

        foreach (var rep in Team)
        {
            var tasks = (await _app.Api().GetJsonAsync($"/api/v1/tasks?owner={rep}&status=open"))["items"]!.AsArray();
            Assert.Equal(3, tasks.Count);
            Assert.All(tasks, t => Assert.StartsWith("Accept or reject", t!["title"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task ByAttribute_MapsARegionToItsRep_AndFallsBackToRoundRobin()
    {
        await PutDefaultAsync(new { assign = new { by = "attributes.region", map = new { emea = "emea@ourcompany.test" } }, team = Team, acceptWithin = "PT4H" });
        var emea = await _app.LeadAsync(NurtureApp.UniqueEmail(), new { attributes = new { region = "emea" } });
        var other = await _app.LeadAsync(NurtureApp.UniqueEmail(), new { attributes = new { region = "apac" } });
        foreach (var id in new[] { emea, other })
            await _app.Api().PostJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "sql" });
        Assert.Equal("emea@ourcompany.test", (await _app.Api().GetJsonAsync($"/api/v1/leads/{emea}"))["owner"]!.GetValue<string>());
        Assert.Equal(Team[0], (await _app.Api().GetJsonAsync($"/api/v1/leads/{other}"))["owner"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABadHandoff_IsRefusedAtItsField()
    {
        var problem = await PutDefaultAsync(new { assign = "round_robin", team = Array.Empty<string>(), acceptWithin = "soon" }, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem.Field("stages[2].handoff.team"));
        Assert.NotNull(problem.Field("stages[2].handoff.acceptWithin"));
    }
}
