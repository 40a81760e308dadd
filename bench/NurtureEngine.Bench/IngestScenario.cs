using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using NurtureEngine.Events;

namespace NurtureEngine.Bench;

/// <summary>Scenario 3: EventService.IngestAsync (in-process, batches of 1,000) vs binary COPY of the same rows.</summary>
public static class IngestScenario
{
    public static async Task RunAsync(BenchEnv env)
    {
        var batches = env.Quick ? 2 : 5;
        var runs = env.Quick ? 1 : 2;
        const int WarmUp = 100;
        const int leadsCount = 2_000;
        double bestOurs = 0, bestBase = 0;
        var cost = "";
        for (var run = 0; run < runs; run++)
        {
            await using var engine = await Engine.FreshAsync(env, "bench_ingest");
            var ids = await BulkLoad.IdsAsync(engine);
            await BulkLoad.LeadsAsync(engine, ids, leadsCount, 0, allInFirstStage: true);
            await engine.ExecAsync("VACUUM ANALYZE");
            var rnd = new Random(run);
            var events = Enumerable.Range(0, batches * EventService.MaxBatch).Select(i => new
            {
                Email = $"lead-{rnd.Next(leadsCount)}@bench.test",
                Type = i % 5 == 0 ? "pricing_viewed" : "page_viewed",
                At = DateTimeOffset.UtcNow.AddSeconds(-i),
                Key = Guid.NewGuid().ToString("N"),
                Path = i % 5 == 0 ? "/pricing" : $"/blog/{i % 50}",
            }).ToList();

            async Task<int> IngestAsync(IEnumerable<(string Email, string Type, DateTimeOffset At, string Key, string Path)> chunk)
            {
                var batch = new EventBatch
                {
                    Events = chunk.Select(e => (JsonNode?)new JsonObject
                    {
                        ["email"] = e.Email, ["type"] = e.Type, ["occurredAt"] = e.At.ToString("O"), ["idempotencyKey"] = e.Key,
                        ["properties"] = new JsonObject { ["path"] = e.Path },
                    }).ToList(),
                };
                using var scope = engine.Services.CreateScope();
                var result = await scope.ServiceProvider.GetRequiredService<EventService>().IngestAsync(batch, CancellationToken.None);
                if (result.Rejected.Count > 0) throw new InvalidOperationException("rejected: " + result.Rejected[0].Error);
                return result.Accepted;
            }
            // Warm-up (not measured): JIT and EF query compilation happen once per process, not per event.
            await IngestAsync(events.Take(WarmUp).Select(e => (e.Email, e.Type, e.At, "warm-" + e.Key, e.Path)));

            var meter = await Meter.StartAsync(engine);
            var sw = Stopwatch.StartNew();
            var accepted = 0;
            foreach (var chunk in events.Chunk(EventService.MaxBatch))
                accepted += await IngestAsync(chunk.Select(e => (e.Email, e.Type, e.At, e.Key, e.Path)));
            sw.Stop();
            var ours = accepted / sw.Elapsed.TotalSeconds;
            cost = await meter.StopAsync(accepted, "event");
            var mql = await engine.ScalarAsync<long>("SELECT count(*) FROM nurture.stage_change WHERE cause = 'score'");
            Console.WriteLine($"  ingest: {accepted} events in {sw.Elapsed.TotalSeconds:0.0} s = {ours:0}/s ({mql} leads moved to mql by score)");

            await engine.ExecAsync("CREATE TABLE bench_event (email text, type text, occurred_at timestamptz, idempotency_key text, properties jsonb)");
            await using (var c = new NpgsqlConnection(engine.Connection))
            {
                await c.OpenAsync();
                async Task CopyAsync(IEnumerable<(string Email, string Type, DateTimeOffset At, string Key, string Path)> rows)
                {
                    await using var w = await c.BeginBinaryImportAsync("COPY bench_event FROM STDIN (FORMAT BINARY)");
                    foreach (var e in rows)
                    {
                        await w.StartRowAsync();
                        await w.WriteAsync(e.Email, NpgsqlDbType.Text);
                        await w.WriteAsync(e.Type, NpgsqlDbType.Text);
                        await w.WriteAsync(e.At, NpgsqlDbType.TimestampTz);
                        await w.WriteAsync(e.Key, NpgsqlDbType.Text);
                        await w.WriteAsync($$"""{"path":"{{e.Path}}"}""", NpgsqlDbType.Jsonb);
                    }
                    await w.CompleteAsync();
                }
                await CopyAsync(events.Take(WarmUp).Select(e => (e.Email, e.Type, e.At, e.Key, e.Path)));
                sw.Restart();
                foreach (var chunk in events.Chunk(EventService.MaxBatch)) await CopyAsync(chunk.Select(e => (e.Email, e.Type, e.At, e.Key, e.Path)));
                sw.Stop();
            }
            var baseline = events.Count / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"  COPY: {events.Count} rows in {sw.Elapsed.TotalSeconds:0.00} s = {baseline:0}/s");
            bestOurs = Math.Max(bestOurs, ours);
            bestBase = Math.Max(bestBase, baseline);
        }
        var ratio = bestOurs / bestBase;
        Results.Add(new Row("3 Event ingest, batches of 1,000 (stored + timeline + scoring + triggers)",
            $"{bestOurs:0} events/s", $"{bestBase:0} rows/s (binary COPY, plain table)", Results.Pct(ratio), "≥ 25%", Results.Yes(ratio >= 0.25),
            $"{batches} batches, in-process EventService.IngestAsync (no HTTP/JSON parsing of the body), 20% pricing_viewed (+10, moves leads to mql → enrolls); best of {runs}. Cost: {cost}"));
    }
}
