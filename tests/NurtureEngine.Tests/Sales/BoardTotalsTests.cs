using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NurtureEngine.Sales;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// The lead board's column totals come from <c>lead_stage_total</c>, kept by the database: after a COPY, API
/// upserts that change owner and deal value, a stage move, an erasure and a fold of piled-up rows, they still
/// equal the leads counted one by one, for everyone and for one owner.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class BoardTotalsTests : IAsyncLifetime
{
    private NurtureApp _app = null!;
    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task LeadBoardTotals_EqualTheLeadsCounted_AfterEveryKindOfWrite()
    {
        const string rep = "totals-rep@ourcompany.test", other = "totals-other@ourcompany.test";
        await BulkLeads.CreateAsync(_app, Enumerable.Range(0, 120).Select(i => NurtureApp.UniqueEmail($"bulk{i}")).ToList());
        var ada = await _app.LeadAsync("ada.totals@example.com", new { owner = rep, dealValue = 1000 });
        await _app.LeadAsync("bob.totals@example.com", new { owner = rep, dealValue = 2500 });
        var cy = await _app.LeadAsync("cy.totals@example.com", new { owner = other, dealValue = 400 });
        await Check();

        await _app.LeadAsync("bob.totals@example.com", new { owner = other, dealValue = 3000 }); // reassigned, new value
        await _app.Api().PostJsonAsync($"/api/v1/leads/{ada}/stage", new { stage = "mql" });
        await _app.Api().SendAsync(HttpMethod.Delete, $"/api/v1/leads/{cy}", null, HttpStatusCode.NoContent);
        await Check();

        // Many small writes pile up rows (net zero here); the next read folds them and nothing changes.
        await Sql("""
            INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
            SELECT pipeline_id, stage_id, owner, x.n, x.n * 10 FROM nurture.lead
            CROSS JOIN LATERAL (VALUES (1), (-1)) AS x(n) CROSS JOIN generate_series(1, 300)
            WHERE email_normalized = 'ada.totals@example.com'
            """);
        Assert.True(await Sql("SELECT count(*) FROM nurture.lead_stage_total") > 600);
        await Check();
        Assert.True(await Sql("SELECT count(*) FROM nurture.lead_stage_total") < 100, "the read folded the piled-up rows");

        async Task Check()
        {
            foreach (var owner in new string?[] { null, rep, other })
            {
                var truth = _app.Db(db => db.Leads.Where(l => l.Pipeline.IsDefault && (owner == null || l.Owner == owner))
                    .GroupBy(l => l.Stage.Key).Select(g => new { Stage = g.Key, Count = g.Count(), Amount = g.Sum(l => l.DealValue ?? 0) })
                    .ToDictionary(g => g.Stage, g => (g.Count, g.Amount)));
                using var scope = _app.Services.CreateScope();
                var board = await scope.ServiceProvider.GetRequiredService<BoardService>().ReadAsync(new BoardQuery("default", owner, null, null), CancellationToken.None);
                foreach (var column in board.Columns)
                    Assert.Equal(truth.GetValueOrDefault(column.Stage), (column.Count, column.Amount));
            }
        }
    }

    private async Task<long> Sql(string sql)
    {
        await using var c = new NpgsqlConnection(_app.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync() is long n ? n : 0;
    }
}
