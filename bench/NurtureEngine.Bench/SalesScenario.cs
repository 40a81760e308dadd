using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using NurtureEngine.Pipelines;
using NurtureEngine.Sales;

namespace NurtureEngine.Bench;

/// <summary>
/// Scenario 9 (issue 18): the pipeline board's first page and the sales report (the /reports/sales page's
/// two reads) at 1,000,000 leads and 200,000 deals, bulk-loaded with binary COPY.
/// </summary>
public static class SalesScenario
{
    private static readonly string[] Reps = Enumerable.Range(1, 10).Select(i => $"rep{i}@bench.test").ToArray();

    public static async Task RunAsync(BenchEnv env)
    {
        var (leadCount, dealCount) = env.Quick ? (200_000, 40_000) : (1_000_000, 200_000);
        await using var engine = await Engine.FreshAsync(env, "bench_sales");
        var ids = await BulkLoad.IdsAsync(engine);
        using (var scope = engine.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<PipelineService>().PutAsync("b2b", new PipelineInput
            {
                Name = "B2B deals", Object = "deal",
                Stages =
                [
                    new() { Key = "qualified", Name = "Qualified", Probability = 20, Kind = "open" },
                    new() { Key = "proposal", Name = "Proposal", Probability = 50, Kind = "open" },
                    new() { Key = "negotiation", Name = "Negotiation", Probability = 75, Kind = "open" },
                    new() { Key = "won", Name = "Won", Probability = 100, Kind = "won" },
                    new() { Key = "lost", Name = "Lost", Probability = 0, Kind = "lost" },
                ],
            }, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        var leads = await BulkLoad.LeadsAsync(engine, ids, leadCount, 0, history: true, owners: Reps, madeAtStageChange: true);
        await DealsAsync(engine, leads, dealCount);
        var loadS = sw.Elapsed.TotalSeconds;
        await engine.ExecAsync("VACUUM ANALYZE");
        Console.WriteLine($"  bench_sales: COPY {leadCount:N0} leads + stage changes + {dealCount:N0} deals in {loadS:0.0} s (+ vacuum analyze {sw.Elapsed.TotalSeconds - loadS:0.0} s)");

        async Task<double> Time(Func<IServiceProvider, Task> read) => await BestMsAsync(3, async () =>
        {
            using var scope = engine.Services.CreateScope();
            await read(scope.ServiceProvider);
        });
        Task<Board> Board(IServiceProvider sp, BoardQuery q) => sp.GetRequiredService<BoardService>().ReadAsync(q, CancellationToken.None);
        var month = DateTime.UtcNow.AddMonths(1).ToString("yyyy-MM");

        await engine.ExecAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()");
        var leadBoard = await Time(sp => Board(sp, new BoardQuery("default", null, null, null)));
        Console.WriteLine("  lead board statements:");
        await Diagnostics.TopAsync(engine, 4);
        var repLeadBoard = await Time(sp => Board(sp, new BoardQuery("default", Reps[3], null, null)));
        var tagLeadBoard = await Time(sp => Board(sp, new BoardQuery("default", null, "vip", null)));
        var dealBoard = await Time(sp => Board(sp, new BoardQuery("b2b", null, null, null)));
        var repDealBoard = await Time(sp => Board(sp, new BoardQuery("b2b", Reps[3], null, month)));
        await engine.ExecAsync("SELECT pg_stat_statements_reset()");
        var report = await Time(async sp =>
        {
            var reports = sp.GetRequiredService<SalesReportService>();
            await reports.SalesAsync("b2b", null, null, null, CancellationToken.None);
            await reports.ForecastAsync("b2b", null, null, CancellationToken.None);
        });
        Console.WriteLine("  sales report statements:");
        await Diagnostics.TopAsync(engine, 6);
        var repReport = await Time(sp => sp.GetRequiredService<SalesReportService>().SalesAsync("b2b", null, null, Reps[3], CancellationToken.None));

        var size = $"{leadCount:N0} leads, {dealCount:N0} deals";
        Results.Add(new Row("9a Board, lead pipeline, first page of every column (everyone)", Results.Ms(leadBoard), "—", "—", "< 200 ms", Results.Yes(leadBoard < 200),
            $"BoardService.ReadAsync, 6 columns × 25 cards + totals; {size}; best of 3"));
        Results.Add(new Row("9b Board, lead pipeline, one rep's own (a rep's default)", Results.Ms(repLeadBoard), "—", "—", "< 200 ms", Results.Yes(repLeadBoard < 200),
            $"{leadCount / Reps.Length:N0} leads of that rep; best of 3"));
        Results.Add(new Row("9c Board, lead pipeline, tag=vip", Results.Ms(tagLeadBoard), "—", "—", "< 200 ms", Results.Yes(tagLeadBoard < 200),
            "1 lead in 10 tagged; best of 3"));
        Results.Add(new Row("9d Board, deal pipeline, first page (everyone)", Results.Ms(dealBoard), "—", "—", "< 200 ms", Results.Yes(dealBoard < 200),
            $"5 columns; {dealCount:N0} deals; best of 3"));
        Results.Add(new Row($"9e Board, deal pipeline, one rep, close month {month}", Results.Ms(repDealBoard), "—", "—", "< 200 ms", Results.Yes(repDealBoard < 200),
            "best of 3"));
        Results.Add(new Row("9f Sales report page reads (SalesAsync + ForecastAsync, last 90 days)", Results.Ms(report), "—", "—", "< 1 s", Results.Yes(report < 1000),
            $"{size}; KPIs, previous year, lost reasons, per owner, first + last touch sources, hand-offs; best of 3"));
        Results.Add(new Row("9g Sales report, one owner", Results.Ms(repReport), "—", "—", "< 1 s", Results.Yes(repReport < 1000), "best of 3"));
        Results.Add(new Row($"9h Bulk load {size} (binary COPY)", $"{loadS:0.0} s", "—", "—", "(info)", "n/a",
            "leads with owner, deal value, source and one stage change; deals 60 % open over 3 stages, 25 % won, 15 % lost over two years"));
    }

    /// <summary>One deal for each of the first <paramref name="count"/> leads, in the b2b pipeline.</summary>
    private static async Task DealsAsync(Engine e, Guid[] leads, int count)
    {
        var pipeline = await e.ScalarAsync<long>("SELECT id FROM nurture.pipeline WHERE key = 'b2b'");
        var stages = new List<long>();
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(e.Connection) { CommandTimeout = 0, Pooling = false }.ConnectionString);
        await c.OpenAsync();
        await using (var cmd = new NpgsqlCommand($"SELECT id FROM nurture.stage WHERE pipeline_id = {pipeline} ORDER BY position", c))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) stages.Add(r.GetInt64(0));
        string[] reasons = ["budget", "timing", "competitor", "no decision"];
        var rnd = new Random(42);
        var now = DateTimeOffset.UtcNow;
        await using var w = await c.BeginBinaryImportAsync("""
            COPY nurture.deal (id, name, lead_id, pipeline_id, stage_id, amount, currency, close_date, owner, lost_reason,
                               stage_entered_at, closed_at, created_at, updated_at) FROM STDIN (FORMAT BINARY)
            """);
        for (var i = 0; i < count; i++)
        {
            var roll = rnd.Next(100);
            var stage = roll switch { < 30 => 0, < 48 => 1, < 60 => 2, < 85 => 3, _ => 4 };
            var closed = stage >= 3 ? now.AddMinutes(-rnd.Next(2 * 365 * 24 * 60)) : (DateTimeOffset?)null;
            var created = (closed ?? now).AddDays(-rnd.Next(7, 120));
            await w.StartRowAsync();
            await w.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
            await w.WriteAsync($"Deal {i}", NpgsqlDbType.Varchar);
            await w.WriteAsync(leads[i], NpgsqlDbType.Uuid);
            await w.WriteAsync(pipeline, NpgsqlDbType.Bigint);
            await w.WriteAsync(stages[stage], NpgsqlDbType.Bigint);
            await w.WriteAsync((decimal)(1_000 + rnd.Next(500) * 100), NpgsqlDbType.Numeric);
            await w.WriteAsync("EUR", NpgsqlDbType.Varchar);
            await w.WriteAsync(DateOnly.FromDateTime((closed ?? now.AddDays(rnd.Next(180))).UtcDateTime), NpgsqlDbType.Date);
            await w.WriteAsync(Reps[i % Reps.Length], NpgsqlDbType.Varchar);
            if (stage == 4) await w.WriteAsync(reasons[i % reasons.Length], NpgsqlDbType.Varchar); else await w.WriteNullAsync();
            await w.WriteAsync(closed ?? created, NpgsqlDbType.TimestampTz);
            if (closed is { } at) await w.WriteAsync(at, NpgsqlDbType.TimestampTz); else await w.WriteNullAsync();
            await w.WriteAsync(created, NpgsqlDbType.TimestampTz);
            await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
        }
        await w.CompleteAsync();
    }

    private static async Task<double> BestMsAsync(int times, Func<Task> action)
    {
        await action(); // warm
        var best = double.MaxValue;
        for (var i = 0; i < times; i++)
        {
            var sw = Stopwatch.StartNew();
            await action();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}
