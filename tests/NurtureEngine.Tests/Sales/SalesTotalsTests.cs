using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using NurtureEngine.Sales;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// What the database keeps for the sales report and the deal board (triggers in the Initial migration) stays equal to the
/// rows counted one by one: <c>lead.reached_mql_at</c> and <c>lead_source_total</c> after moves forward and back,
/// concurrent moves, a set-based update, a delete and an erasure, over periods of whole days, partial days and both;
/// <c>deal_stage_total</c> after creates, moves, edits, concurrent moves and a lead's erasure.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SalesTotalsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-03-10T10:00:00Z");
    private const string Rep = "kept-rep@ourcompany.test";

    [Fact]
    public async Task SourceFigures_EqualTheLeadsCounted_AfterMovesBackConcurrencyDeletesAndErasure()
    {
        var clock = new FakeTimeProvider(T0);
        await using var app = await NurtureApp.StartAsync(clock: clock);
        var api = app.Api();
        await app.QuietDemoSequencesAsync();
        await api.PutDealPipelineAsync("sales");
        async Task Move(string lead, string stage) => await api.PostJsonAsync($"/api/v1/leads/{lead}/stage", new { stage });

        var a = await app.LeadAsync(NurtureApp.UniqueEmail("a"), new { source = "webinar", owner = Rep });
        var b = await app.LeadAsync(NurtureApp.UniqueEmail("b"), new { source = "webinar" });
        await app.LeadAsync(NurtureApp.UniqueEmail("c"), new { source = "ads", owner = Rep });
        var d = await app.LeadAsync(NurtureApp.UniqueEmail("d"), new { source = "ads" });
        var e = await app.LeadAsync(NurtureApp.UniqueEmail("e"));
        await Move(a, "mql");
        await Move(a, "lead"); // moved back: it still reached mql
        await Move(b, "sql");  // past mql without stopping there
        await Move(b, "mql");
        await Move(d, "mql");
        await Move(e, "mql");
        await api.SendAsync(HttpMethod.Delete, $"/api/v1/leads/{d}", null, HttpStatusCode.NoContent);
        await api.SendAsync(HttpMethod.Delete, $"/api/v1/leads/{e}", null, HttpStatusCode.NoContent);
        clock.Advance(TimeSpan.FromDays(1));
        await app.LeadAsync(NurtureApp.UniqueEmail("f"), new { source = "ads" });

        // 12 leads moved at once, each by two concurrent requests (to mql and to sql): the kept rows must not lose one.
        var events = new List<string>();
        for (var i = 0; i < 12; i++) events.Add(await app.LeadAsync(NurtureApp.UniqueEmail($"ev{i}"), new { source = "event", owner = Rep }));
        await Task.WhenAll(events.SelectMany(id => new[] { "mql", "sql" }.Select(stage =>
            api.PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage }))));
        // A set-based write that bypasses the services: the last touch of the webinar leads becomes "ads".
        await Sql("UPDATE nurture.lead SET last_touch_source = 'ads' WHERE source = 'webinar'");

        // Hand-computed: made in the period, source, reached mql (d and e are gone).
        var wholeDays = await SourcesAsync(api, Midnight(-2), Midnight(5), null);
        Assert.Equal((2, 2), wholeDays["webinar"]);   // a (moved back) and b (passed it)
        Assert.Equal((2, 0), wholeDays["ads"]);       // c and f
        Assert.Equal((12, 12), wholeDays["event"]);
        Assert.False(wholeDays.ContainsKey("(none)")); // e was erased
        var lastTouch = await SourcesAsync(api, Midnight(-2), Midnight(5), null, "bySourceLastTouch");
        Assert.Equal((4, 2), lastTouch["ads"]);
        Assert.False(lastTouch.ContainsKey("webinar"));
        var rep = await SourcesAsync(api, Midnight(-2), Midnight(5), Rep);
        Assert.Equal(((1, 1), (1, 0), (12, 12)), (rep["webinar"], rep["ads"], rep["event"]));

        // Periods with partial days at one end, at both, and within one day equal the leads counted one by one.
        foreach (var (from, to) in new[]
                 {
                     (T0.AddHours(-1), T0.AddHours(1)), (T0.AddDays(-1), T0.AddDays(2)), (Midnight(0), T0.AddDays(1).AddHours(-1)),
                     (T0.AddHours(1), Midnight(3)), (Midnight(-2), Midnight(5)),
                 })
            foreach (var owner in new[] { null, Rep })
                Assert.Equal(await TruthAsync(from, to, owner), await SourcesAsync(api, from, to, owner));

        async Task Sql(string sql)
        {
            await using var c = new NpgsqlConnection(app.ConnectionString);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, c);
            await cmd.ExecuteNonQueryAsync();
        }

        // The report's former definition: leads made in the period, mql when a stage change reached mql or later.
        async Task<Dictionary<string, (int, int)>> TruthAsync(DateTimeOffset from, DateTimeOffset to, string? owner)
        {
            await using var c = new NpgsqlConnection(app.ConnectionString);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                SELECT coalesce(l.source, '(none)'), count(*)::int, count(*) FILTER (WHERE EXISTS (
                    SELECT 1 FROM nurture.stage_change ch JOIN nurture.stage s ON s.id = ch.to_stage_id
                    JOIN nurture.stage m ON m.pipeline_id = s.pipeline_id AND m.key = 'mql'
                    WHERE ch.lead_id = l.id AND s.position >= m.position))::int
                FROM nurture.lead l WHERE l.created_at >= $1 AND l.created_at < $2 AND ($3::text IS NULL OR l.owner = $3::text)
                GROUP BY 1
                """, c);
            cmd.Parameters.Add(new() { Value = from });
            cmd.Parameters.Add(new() { Value = to });
            cmd.Parameters.Add(new() { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            var truth = new Dictionary<string, (int, int)>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) truth[r.GetString(0)] = (r.GetInt32(1), r.GetInt32(2));
            return truth;
        }
    }

    [Fact]
    public async Task DealBoardTotals_EqualTheDealsCounted_AfterMovesEditsConcurrencyAndErasure()
    {
        await using var app = await NurtureApp.StartAsync();
        var api = app.Api();
        await app.QuietDemoSequencesAsync();
        await api.PutDealPipelineAsync("kept");
        const string other = "kept-other@ourcompany.test";
        var ada = await app.LeadAsync(NurtureApp.UniqueEmail("ada"));
        var bob = await app.LeadAsync(NurtureApp.UniqueEmail("bob"));
        async Task<string> Deal(string lead, string owner, int amount, string stage) =>
            await api.DealAsync(new { name = $"{owner}-{amount}", leadId = lead, pipeline = "kept", stage, amount, owner });
        var d1 = await Deal(ada, Rep, 1000, "qualified");
        var d2 = await Deal(ada, Rep, 2500, "proposal");
        await Deal(bob, other, 400, "qualified");
        var many = new List<string>();
        for (var i = 0; i < 8; i++) many.Add(await Deal(bob, other, 100 * (i + 1), "qualified"));
        await Check();

        await api.PostJsonAsync($"/api/v1/deals/{d1}/stage", new { stage = "proposal" });
        await api.PostJsonAsync($"/api/v1/deals/{d1}/stage", new { stage = "qualified" }); // and back
        await api.SendAsync(HttpMethod.Patch, $"/api/v1/deals/{d2}", new { amount = 3000, owner = other }, HttpStatusCode.OK);
        await api.PostJsonAsync($"/api/v1/deals/{d2}/stage", new { stage = "lost", lostReason = "price" });
        await Task.WhenAll(many.SelectMany(id => new[] { "proposal", "won" }.Select(stage =>
            api.PostAsJsonAsync($"/api/v1/deals/{id}/stage", new { stage }))));
        await Check();

        await api.SendAsync(HttpMethod.Delete, $"/api/v1/leads/{ada}", null, HttpStatusCode.NoContent); // erasure takes its deals
        await Check();

        async Task Check()
        {
            foreach (var owner in new string?[] { null, Rep, other })
            {
                var truth = app.Db(db => db.Deals.Where(x => x.Stage.Pipeline.Key == "kept" && (owner == null || x.Owner == owner))
                    .GroupBy(x => x.Stage.Key).Select(g => new { Stage = g.Key, Count = g.Count(), Amount = g.Sum(x => x.Amount ?? 0) })
                    .ToDictionary(g => g.Stage, g => (g.Count, g.Amount)));
                using var scope = app.Services.CreateScope();
                var board = await scope.ServiceProvider.GetRequiredService<BoardService>().ReadAsync(new BoardQuery("kept", owner, null, null), CancellationToken.None);
                foreach (var column in board.Columns)
                    Assert.Equal(truth.GetValueOrDefault(column.Stage), (column.Count, column.Amount));
            }
        }
    }

    private static DateTimeOffset Midnight(int days) => new(T0.UtcDateTime.Date.AddDays(days), TimeSpan.Zero);

    private static async Task<Dictionary<string, (int, int)>> SourcesAsync(HttpClient api, DateTimeOffset from, DateTimeOffset to, string? owner,
        string list = "bySource")
    {
        var url = $"/api/v1/reports/sales?pipeline=sales&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"
                  + (owner is null ? "" : $"&owner={Uri.EscapeDataString(owner)}");
        var report = await api.GetJsonAsync(url);
        return report[list]!.AsArray().Where(s => s!["leads"]!.GetValue<int>() > 0)
            .ToDictionary(s => s!["source"]?.GetValue<string>() ?? "(none)", s => (s!["leads"]!.GetValue<int>(), s["mqls"]!.GetValue<int>()));
    }
}
