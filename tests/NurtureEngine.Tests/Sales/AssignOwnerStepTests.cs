using System.Net;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>The <c>assign_owner</c> sequence step: the hand-off's assignment rules over a team, validated at its field.</summary>
[Collection(AppCollection.Name)]
public sealed class AssignOwnerStepTests : IAsyncLifetime
{
    private static readonly string[] Team = ["ae1@ourcompany.test", "ae2@ourcompany.test", "ae3@ourcompany.test"];
    private NurtureApp _app = null!;
    public async Task InitializeAsync() { _app = await NurtureApp.StartAsync(); await _app.QuietDemoSequencesAsync(); }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<JsonObject> PutAsync(string key, object step, HttpStatusCode expected) =>
        _app.Api().SendAsync(HttpMethod.Put, $"/api/v1/sequences/{key}", new
        {
            name = "Route new leads", trigger = new { type = "lead_created", source = key }, steps = new[] { step },
        }, expected);

    [Fact]
    public async Task RoundRobin_GivesSixLeadsTwoToEachRep_OnTheTimeline()
    {
        await PutAsync("route-rr", new { id = "route", type = "assign_owner", assign = "round_robin", team = Team }, HttpStatusCode.Created);
        var leads = new List<string>();
        for (var i = 0; i < 6; i++) leads.Add(await _app.LeadAsync(NurtureApp.UniqueEmail("route"), new { source = "route-rr" }));
        var owners = new List<string>();
        foreach (var id in leads)
        {
            await _app.WaitForKindAsync(id, "owner_assigned");
            owners.Add((await _app.Api().GetJsonAsync($"/api/v1/leads/{id}"))["owner"]!.GetValue<string>());
        }
        Assert.Equal([2, 2, 2], Team.Select(t => owners.Count(o => o == t)).ToArray());
    }

    [Fact]
    public async Task ByAttribute_PicksTheMappedRep_AndWithAcceptWithin_IsAHandOff()
    {
        await PutAsync("route-map", new
        {
            id = "route", type = "assign_owner", assign = new { by = "attributes.region", map = new { emea = "emea@ourcompany.test" } }, team = Team, acceptWithin = "PT2H",
        }, HttpStatusCode.Created);
        var id = await _app.LeadAsync(NurtureApp.UniqueEmail("route"), new { source = "route-map", attributes = new { region = "emea" } });
        await _app.WaitForKindAsync(id, "handoff_assigned");
        Assert.Equal("emea@ourcompany.test", (await _app.Api().GetJsonAsync($"/api/v1/leads/{id}"))["owner"]!.GetValue<string>());
        var pending = Assert.Single((await _app.Api().GetJsonAsync($"/api/v1/leads/{id}/handoffs"))["items"]!.AsArray())!;
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
        Assert.StartsWith("sequence Route new leads, step route", pending["origin"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABadStep_IsRefusedAtItsField_AndTheSimulatorShowsTheAssignment()
    {
        var problem = await PutAsync("route-bad", new { id = "route", type = "assign_owner", assign = "loudest", team = new[] { "not-an-email" } }, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem.Field("steps[0].team"));
        Assert.NotNull(problem.Field("steps[0].assign"));

        await PutAsync("route-sim", new { id = "route", type = "assign_owner", assign = "round_robin", team = Team }, HttpStatusCode.Created);
        var simulated = await _app.Api().PostJsonAsync("/api/v1/sequences/route-sim/simulate", new { lead = new { email = NurtureApp.UniqueEmail("sim"), source = "route-sim" } });
        var entry = Assert.Single(simulated["timeline"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "owner_assigned")!;
        Assert.Equal(Team[0], entry["data"]!["owner"]!.GetValue<string>());
    }
}
