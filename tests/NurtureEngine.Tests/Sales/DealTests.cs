using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>Deals through a deal pipeline: on the timelines of their lead and company, firing deal_stage_entered.</summary>
[Collection(AppCollection.Name)]
public sealed class DealTests : IAsyncLifetime
{
    private NurtureApp _app = null!;
    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ADeal_MovesThroughItsPipeline_OnTheLeadAndCompanyTimelines_AndFiresDealStageEntered()
    {
        var api = _app.Api();
        await api.PutDealPipelineAsync("b2b");
        var company = (await api.PostJsonAsync("/api/v1/companies", new { name = "Babbage & Co", domain = "babbage.example" }, HttpStatusCode.Created))["id"]!.GetValue<string>();
        var lead = await _app.LeadAsync("charles@babbage.example", new { owner = "rep@ourcompany.test" });
        (await api.PutAsJsonAsync("/api/v1/sequences/proposal-follow-up", new
        {
            name = "Proposal follow-up", trigger = new { type = "deal_stage_entered", pipeline = "b2b", stage = "proposal" },
            steps = new[] { new { id = "wait", type = "wait", duration = "P1D" } },
        })).EnsureSuccessStatusCode();

        var created = await api.PostJsonAsync("/api/v1/deals", new { name = "50 seats", leadId = lead, pipeline = "b2b", stage = "qualified", amount = 12000, currency = "eur", closeDate = "2026-12-31" }, HttpStatusCode.Created);
        var deal = created["id"]!.GetValue<string>();
        Assert.Equal(company, created["companyId"]!.GetValue<string>());   // the lead's company
        Assert.Equal("rep@ourcompany.test", created["owner"]!.GetValue<string>()); // the lead's owner
        Assert.Equal("open", created["status"]!.GetValue<string>());
        Assert.Equal("EUR", created["currency"]!.GetValue<string>());
        static bool Follow(JsonNode? e) => e!["kind"]!.GetValue<string>() == "enrolled" && e["summary"]!.GetValue<string>().Contains("Proposal follow-up");
        Assert.DoesNotContain(await _app.TimelineAsync(lead), Follow);

        var moved = await api.PostJsonAsync($"/api/v1/deals/{deal}/stage", new { stage = "proposal" });
        Assert.Equal("proposal", moved["stage"]!.GetValue<string>());
        var enrolled = Assert.Single(await _app.TimelineAsync(lead), Follow)!;
        Assert.Contains("deal entered stage proposal", enrolled["summary"]!.GetValue<string>());

        var noReason = await api.PostJsonAsync($"/api/v1/deals/{deal}/stage", new { stage = "lost" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("required", noReason.Field("lostReason"));
        Assert.Equal("proposal", (await api.GetJsonAsync($"/api/v1/deals/{deal}"))["stage"]!.GetValue<string>()); // nothing changed
        await api.PostJsonAsync($"/api/v1/deals/{deal}/stage", new { stage = "nope" }, HttpStatusCode.UnprocessableEntity);
        await api.PostJsonAsync($"/api/v1/deals/{Guid.NewGuid()}/stage", new { stage = "won" }, HttpStatusCode.NotFound);

        var patched = await api.SendAsync(HttpMethod.Patch, $"/api/v1/deals/{deal}", new { amount = 15000 }, HttpStatusCode.OK);
        Assert.Equal(15000m, patched["amount"]!.GetValue<decimal>());
        Assert.Equal("2026-12-31", patched["closeDate"]!.GetValue<string>()); // omitted: kept
        var lost = await api.PostJsonAsync($"/api/v1/deals/{deal}/stage", new { stage = "lost", lostReason = "price" });
        Assert.Equal("lost", lost["status"]!.GetValue<string>());
        Assert.Equal("price", lost["lostReason"]!.GetValue<string>());

        var timeline = await _app.TimelineAsync(lead);
        var dealRows = timeline.Where(e => e!["kind"]!.GetValue<string>().StartsWith("deal_")).Select(e => e!["kind"]!.GetValue<string>()).Reverse().ToList();
        Assert.Equal(["deal_created", "deal_stage_changed", "deal_updated", "deal_stage_changed"], dealRows);
        var lastMove = timeline.First(e => e!["kind"]!.GetValue<string>() == "deal_stage_changed")!["data"]!;
        Assert.Equal("proposal", lastMove["from"]!.GetValue<string>());
        Assert.Equal("lost", lastMove["to"]!.GetValue<string>());
        Assert.Equal("api", lastMove["cause"]!.GetValue<string>());

        var companyView = await api.GetJsonAsync($"/api/v1/companies/{company}");
        Assert.Equal(deal, companyView["deals"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(4, companyView["timeline"]!.AsArray().Count(e => e!["kind"]!.GetValue<string>().StartsWith("deal_")));

        Assert.Single((await api.GetJsonAsync($"/api/v1/deals?status=lost&companyId={company}"))["items"]!.AsArray());
        Assert.Empty((await api.GetJsonAsync($"/api/v1/deals?status=open&leadId={lead}"))["items"]!.AsArray());
        Assert.Single((await api.GetJsonAsync("/api/v1/deals?pipeline=b2b&stage=lost&owner=REP@ourcompany.test"))["items"]!.AsArray());
        await api.SendAsync(HttpMethod.Get, "/api/v1/deals?status=maybe", null, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task LeadsAndDeals_KeepToTheirOwnKindOfPipeline()
    {
        var api = _app.Api();
        await api.PutDealPipelineAsync("b2b");
        var lead = await _app.LeadAsync(NurtureApp.UniqueEmail());
        var wrong = await api.PostJsonAsync("/api/v1/deals", new { name = "x", leadId = lead, pipeline = "default" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("lead pipeline", wrong.Field("pipeline"));
        var noLead = await api.PostJsonAsync("/api/v1/deals", new { name = "x", leadId = Guid.NewGuid(), pipeline = "b2b" }, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(noLead.Field("leadId"));
        var leadIntoDeals = await api.PostJsonAsync($"/api/v1/leads/{lead}/stage", new { stage = "qualified", pipeline = "b2b" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("deal pipeline", leadIntoDeals.Field("pipeline"));
        // A deal made without pipeline or stage enters the first stage of the first deal pipeline.
        var deal = await api.PostJsonAsync("/api/v1/deals", new { name = "Default placement", leadId = lead }, HttpStatusCode.Created);
        Assert.Equal("qualified", deal["stage"]!.GetValue<string>());
        var pipelines = (await api.GetJsonAsync("/api/v1/pipelines"))["items"]!.AsArray();
        Assert.Equal("deal", pipelines.Single(p => p!["key"]!.GetValue<string>() == "b2b")!["object"]!.GetValue<string>());
        Assert.Equal("lead", pipelines.Single(p => p!["key"]!.GetValue<string>() == "default")!["object"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConcurrentStageMoves_OfOneDeal_AreRecordedOneAfterTheOther()
    {
        var api = _app.Api();
        await api.PutDealPipelineAsync("b2b");
        var lead = await _app.LeadAsync(NurtureApp.UniqueEmail());
        var deal = await api.DealAsync(new { name = "Race", leadId = lead, pipeline = "b2b", stage = "qualified" });

        var targets = Enumerable.Range(0, 24).Select(i => (i % 3) switch { 0 => "proposal", 1 => "won", _ => "qualified" }).ToList();
        var responses = await Task.WhenAll(targets.Select(stage => _app.Api().PostAsJsonAsync($"/api/v1/deals/{deal}/stage", new { stage })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // Each recorded move starts where the one before it ended, and the last ends where the deal is.
        var moves = (await _app.TimelineAsync(lead)).Where(e => e!["kind"]!.GetValue<string>() == "deal_stage_changed")
            .Select(e => (From: e!["data"]!["from"]!.GetValue<string>(), To: e["data"]!["to"]!.GetValue<string>())).Reverse().ToList();
        Assert.NotEmpty(moves);
        Assert.Equal("qualified", moves[0].From);
        for (var i = 1; i < moves.Count; i++) Assert.Equal(moves[i - 1].To, moves[i].From);
        Assert.All(moves, m => Assert.NotEqual(m.From, m.To));
        Assert.Equal(moves[^1].To, (await api.GetJsonAsync($"/api/v1/deals/{deal}"))["stage"]!.GetValue<string>());
    }
}
