using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;

namespace NurtureEngine.Bench;

/// <summary>Scenarios 5 (tick cost vs waiting work) and 6 (queries at a million leads/enrollments).</summary>
public static class ScaleScenarios
{
    private static int Due = 1_000;
    private static int Runs = 2;

    public static async Task RunAsync(BenchEnv env, bool scale)
    {
        var big = env.Quick ? 200_000 : 1_000_000;
        (Due, Runs) = env.Quick ? (300, 1) : (1_000, 2);
        var (smallMs, smallClaim) = await TickAsync(env, "bench_tick_small", 10_000, keep: false);
        var (bigMs, bigClaim) = await TickAsync(env, "bench_tick_big", big, keep: true);
        var ratio = bigMs / smallMs;
        Results.Add(new Row($"5 Scheduler tick: claim + run {Due:N0} due email steps, {big:N0} vs 10,000 enrollments waiting",
            $"{Results.Ms(bigMs)} with {big:N0} waiting", $"{Results.Ms(smallMs)} with 10,000 waiting", $"{ratio:0.00}", "≤ 1.5", Results.Yes(ratio <= 1.5),
            $"claim query alone (200 rows): {Results.Ms(bigClaim)} vs {Results.Ms(smallClaim)}; runs include render + outbox insert; best of {Runs}"
            + (env.Quick ? "; --quick: 300 due steps, 200,000 instead of 1,000,000 waiting" : "")));
        if (scale) await QueriesAsync(env, "bench_tick_big", big);
    }

    private static async Task<(double RunMs, double ClaimMs)> TickAsync(BenchEnv env, string name, int waiting, bool keep)
    {
        var engine = await Engine.FreshAsync(env, name);
        try
        {
            var ids = await BulkLoad.IdsAsync(engine);
            var sw = Stopwatch.StartNew();
            var waitingLeads = await BulkLoad.LeadsAsync(engine, ids, waiting, 0);
            await BulkLoad.EnrollmentsAsync(engine, ids, waitingLeads, DateTimeOffset.UtcNow.AddDays(2));
            var dueLeads = await BulkLoad.LeadsAsync(engine, ids, Due, waiting, allInFirstStage: true);
            await BulkLoad.EnrollmentsAsync(engine, ids, dueLeads, DateTimeOffset.UtcNow.AddMinutes(-1));
            var loadS = sw.Elapsed.TotalSeconds;
            await engine.ExecAsync("VACUUM ANALYZE");
            Console.WriteLine($"  {name}: COPY {waiting + Due:N0} leads + enrollments in {loadS:0.0} s (+ vacuum analyze {sw.Elapsed.TotalSeconds - loadS:0.0} s)");
            if (name == "bench_tick_big") LoadSeconds = loadS;

            var best = double.MaxValue;
            for (var run = 0; run < Runs; run++)
            {
                if (run > 0)
                {
                    await using var c = new NpgsqlConnection(engine.Connection);
                    await c.OpenAsync();
                    await using var reset = new NpgsqlCommand("""
                        DELETE FROM nurture.message WHERE lead_id = ANY(@leads);
                        DELETE FROM nurture.activity WHERE lead_id = ANY(@leads);
                        UPDATE nurture.enrollment SET current_step_id = 'welcome', next_step_at = now() - interval '1 minute', wait_until = NULL, steps_run = 0
                        WHERE lead_id = ANY(@leads);
                        """, c);
                    reset.Parameters.AddWithValue("leads", dueLeads);
                    await reset.ExecuteNonQueryAsync();
                    await engine.ExecAsync("VACUUM ANALYZE nurture.enrollment");
                }
                sw.Restart();
                var ran = 0;
                while (ran < Due)
                {
                    using var scope = engine.Services.CreateScope();
                    var n = await scope.ServiceProvider.GetRequiredService<SequenceRunner>().RunDueBatchAsync(CancellationToken.None);
                    if (n == 0) break;
                    ran += n;
                }
                sw.Stop();
                if (ran != Due) throw new InvalidOperationException($"{name}: ran {ran} of {Due}");
                Console.WriteLine($"  {name}: {Due} due steps in {sw.Elapsed.TotalMilliseconds:0} ms");
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }
            // The claim alone, as SequenceRunner issues it, inside a rolled-back transaction.
            var claim = await BestMsAsync(5, async () =>
            {
                await using var c = new NpgsqlConnection(engine.Connection);
                await c.OpenAsync();
                await using var tx = await c.BeginTransactionAsync();
                await using var cmd = new NpgsqlCommand("""
                    SELECT e.id FROM nurture.enrollment e
                    JOIN nurture.sequence s ON s.id = e.sequence_id AND s.status = 'Active'
                    WHERE e.status = 'Active' AND e.next_step_at <= now() + interval '3 days'
                    ORDER BY e.next_step_at LIMIT 200 FOR UPDATE OF e SKIP LOCKED
                    """, c, tx);
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) { }
                await r.CloseAsync();
                await tx.RollbackAsync();
            });
            return (best, claim);
        }
        finally
        {
            if (!keep) await engine.DisposeAsync();
            else Kept = engine;
        }
    }

    private static Engine? Kept;
    private static double LoadSeconds;

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

    private static async Task QueriesAsync(BenchEnv env, string name, int waiting)
    {
        await using var engine = Kept ?? throw new InvalidOperationException("no big database");
        var leads = waiting + Due;
        async Task<double> Time(Func<IServiceProvider, Task> query) => await BestMsAsync(3, async () =>
        {
            using var scope = engine.Services.CreateScope();
            await query(scope.ServiceProvider);
        });
        var first = await Time(sp => sp.GetRequiredService<LeadService>().ListAsync(new LeadQuery(), CancellationToken.None));
        var filtered = await Time(sp => sp.GetRequiredService<LeadService>().ListAsync(new LeadQuery(Stage: "sql", MinScore: 30), CancellationToken.None));
        var tag = await Time(sp => sp.GetRequiredService<LeadService>().ListAsync(new LeadQuery(Tag: "vip", Stage: "opportunity"), CancellationToken.None));
        var search = await Time(sp => sp.GetRequiredService<LeadService>().ListAsync(new LeadQuery(Q: "globex"), CancellationToken.None));
        var rare = await Time(sp => sp.GetRequiredService<LeadService>().ListAsync(new LeadQuery(Q: $"lead-{waiting - 7}@"), CancellationToken.None));
        var dashboard = await Time(async sp =>
        {
            // The admin dashboard's funnel (Pages/Index.cshtml.cs): totals and a count per stage.
            var db = sp.GetRequiredService<NurtureDbContext>();
            await db.Leads.CountAsync();
            await db.Enrollments.CountAsync(e => e.Status == EnrollmentStatus.Active);
            await db.Messages.CountAsync(m => m.Status == MessageStatus.Sent);
            await db.Stages.Where(s => s.Pipeline.IsDefault).OrderBy(s => s.Position)
                .Select(s => new { s.Name, s.Probability, Count = db.Leads.Count(l => l.StageId == s.Id) }).ToListAsync();
        });
        var stats = await Time(sp => sp.GetRequiredService<SequenceService>().StatsAsync("welcome", CancellationToken.None));
        var size = env.Quick ? "200k" : "1M";
        var goal = "< 200 ms";
        Results.Add(new Row($"6a Lead list, first page (50), {leads:N0} leads", Results.Ms(first), "—", "—", goal, Results.Yes(first < 200), "LeadService.ListAsync; best of 3"));
        Results.Add(new Row($"6b Lead list, filtered page (stage=sql, minScore=30)", Results.Ms(filtered), "—", "—", goal, Results.Yes(filtered < 200), $"{size} leads; best of 3"));
        Results.Add(new Row($"6c Lead list, filtered page (tag=vip, stage=opportunity)", Results.Ms(tag), "—", "—", goal, Results.Yes(tag < 200), $"{size} leads; best of 3"));
        Results.Add(new Row($"6d Lead list, search q=globex (1 in 8 match)", Results.Ms(search), "—", "—", "(info)", "n/a", $"{size} leads; ILIKE on 4 columns, no trigram index"));
        Results.Add(new Row($"6e Lead list, search for one lead (q=lead-N@)", Results.Ms(rare), "—", "—", "(info)", "n/a", $"{size} leads; ILIKE on 4 columns scans the table, no trigram index"));
        Results.Add(new Row($"6f Funnel report (dashboard totals + count per stage)", Results.Ms(dashboard), "—", "—", "< 1 s", Results.Yes(dashboard < 1000), $"{size} leads, {size} enrollments; best of 3"));
        Results.Add(new Row($"6g Sequence stats (SequenceService.StatsAsync welcome)", Results.Ms(stats), "—", "—", "< 1 s", Results.Yes(stats < 1000), $"{waiting:N0} enrollments waiting in it; best of 3"));
        Results.Add(new Row($"6h Bulk load {leads:N0} leads + {leads:N0} enrollments (binary COPY)", $"{LoadSeconds:0.0} s", "—", "—", "(info)", "n/a",
            $"{leads / LoadSeconds:0} leads+enrollments/s, indexes maintained"));
    }
}
