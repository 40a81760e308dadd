using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using NurtureEngine.Automation;
using NurtureEngine.Broadcasts;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;

namespace NurtureEngine.Bench;

/// <summary>
/// Scenario 8: broadcasts. 8a freezes an audience (1,000,000 leads; 200,000 with --quick) with one statement,
/// memory watched; 8b sends a broadcast through the production drain loop, side by side with raw MailKit over the
/// same sink and connections, and times the first email after <c>send</c>.
/// </summary>
public static class BroadcastScenario
{
    private static readonly BroadcastDefinition Everyone = new()
    {
        Name = "Bench news", Template = "welcome",
        Filter = new Condition { Type = ConditionType.Not, Inner = new Condition { Type = ConditionType.HasTag, Tag = "nobody-has-this" } },
    };

    public static async Task RunAsync(BenchEnv env, bool send = true)
    {
        await FreezeAsync(env);
        if (send) await SendAsync(env);
    }

    private static async Task FreezeAsync(BenchEnv env)
    {
        var n = env.Quick ? 200_000 : 1_000_000;
        await using var engine = await Engine.FreshAsync(env, "bench_freeze");
        var ids = await BulkLoad.IdsAsync(engine);
        for (var offset = 0; offset < n; offset += 100_000) await BulkLoad.LeadsAsync(engine, ids, Math.Min(100_000, n - offset), offset);
        await engine.ExecAsync("VACUUM ANALYZE");
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        long peak;
        var sw = Stopwatch.StartNew();
        BroadcastDto started;
        await using (var memory = new MemorySampler())
        {
            using var scope = engine.Services.CreateScope();
            var broadcasts = scope.ServiceProvider.GetRequiredService<BroadcastService>();
            await broadcasts.PutAsync("freeze", Everyone, CancellationToken.None);
            started = await broadcasts.SendAsync("freeze", CancellationToken.None);
            sw.Stop();
            peak = memory.PeakBytes;
        }
        var grew = Math.Max(0, peak - before) / 1048576.0;
        Console.WriteLine($"  freeze: {started.Audience} leads in {sw.Elapsed.TotalSeconds:0.0} s, RSS +{grew:0} MiB");
        Results.Add(new Row($"8a Broadcast start: freeze the audience of {n:N0} leads (recipients queued with variant and due time)",
            $"{sw.Elapsed.TotalSeconds:0.0} s", "—", "—", "< 60 s, memory flat", Results.Yes(sw.Elapsed.TotalSeconds < 60 && grew < 100 && started.Audience == n),
            $"one INSERT … SELECT (BroadcastStarter); process RSS grew {grew:0} MiB during it"));
        await QueueAsync(engine, n, before);
    }

    /// <summary>
    /// 8a': the frozen audience's emails rendered into the outbox by the production runner
    /// (<see cref="BroadcastRunner.QueueBatch"/> recipients per transaction, one COPY each), no SMTP. Capped at 20 minutes:
    /// a capped run reports what it queued and its rate.
    /// </summary>
    private static async Task QueueAsync(Engine engine, int n, long before)
    {
        var cap = TimeSpan.FromMinutes(20);
        long queued = 0, peak;
        var sw = Stopwatch.StartNew();
        await using (var memory = new MemorySampler())
        {
            while (sw.Elapsed < cap)
            {
                using var scope = engine.Services.CreateScope();
                var done = await scope.ServiceProvider.GetRequiredService<BroadcastRunner>().RunDueAsync(CancellationToken.None);
                if (done == 0) break;
                queued += done;
            }
            sw.Stop();
            peak = memory.PeakBytes;
        }
        var rows = await engine.ScalarAsync<long>("SELECT count(*) FROM nurture.message WHERE broadcast_id IS NOT NULL");
        var grew = Math.Max(0, peak - before) / 1048576.0;
        var rate = rows / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"  queue: {rows} outbox rows in {sw.Elapsed.TotalSeconds:0.0} s = {rate:0}/s, RSS +{grew:0} MiB");
        Results.Add(new Row($"8a' Broadcast queue: render the frozen audience of {n:N0} into the outbox",
            rows == n ? $"{sw.Elapsed.TotalSeconds:0.0} s" : $"capped: {rows:N0} in {sw.Elapsed.TotalSeconds:0} s",
            "—", "—", "< 60 s, memory flat", Results.Yes(rows == n && sw.Elapsed.TotalSeconds < 60 && grew < 300),
            $"BroadcastRunner, {BroadcastRunner.QueueBatch} recipients per transaction, one COPY each; {rate:0} emails/s; process RSS grew {grew:0} MiB"));
    }

    private static async Task SendAsync(BenchEnv env)
    {
        var n = env.Quick ? 1_000 : 5_000;
        double bestOurs = 0, bestBase = 0, bestFirst = double.MaxValue;
        string cost = "";
        for (var run = 0; run < 2; run++)
        {
            await using var engine = await Engine.FreshAsync(env, "bench_broadcast");
            var ids = await BulkLoad.IdsAsync(engine);
            await BulkLoad.LeadsAsync(engine, ids, n, 0);
            await engine.ExecAsync("VACUUM ANALYZE");
            using (var scope = engine.Services.CreateScope())
                await scope.ServiceProvider.GetRequiredService<BroadcastService>().PutAsync("news", Everyone, CancellationToken.None);
            GC.Collect();
            var meter = await Meter.StartAsync(engine);
            var sw = Stopwatch.StartNew();
            using (var scope = engine.Services.CreateScope())
                await scope.ServiceProvider.GetRequiredService<BroadcastService>().SendAsync("news", CancellationToken.None);
            var drain = Task.Run(async () =>
            {
                while (await engine.ScalarAsync<long>("SELECT count(*) FROM nurture.message WHERE status = 'Sent'") < n && sw.Elapsed < TimeSpan.FromMinutes(20))
                {
                    using var scope = engine.Services.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<DueWorkJob>().DrainAsync(CancellationToken.None);
                }
            });
            while (await engine.ScalarAsync<long>("SELECT count(*) FROM nurture.message WHERE status = 'Sent'") == 0 && !drain.IsCompleted) await Task.Delay(10);
            bestFirst = Math.Min(bestFirst, sw.Elapsed.TotalSeconds);
            await drain;
            sw.Stop();
            cost = await meter.StopAsync(n, "email");
            var rate = n / sw.Elapsed.TotalSeconds;
            bestOurs = Math.Max(bestOurs, rate);
            Console.WriteLine($"  broadcast: {n} emails in {sw.Elapsed.TotalSeconds:0.0} s = {rate:0}/s");
            List<MimeMessage> messages;
            using (var scope = engine.Services.CreateScope())
            {
                var builder = scope.ServiceProvider.GetRequiredService<MimeMessageBuilder>();
                messages = (await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().Messages.AsNoTracking().ToListAsync()).Select(builder.Build).ToList();
            }
            bestBase = Math.Max(bestBase, await SendScenarios.MailKitBaselineAsync(env, messages));
        }
        var ratio = bestOurs / bestBase;
        Results.Add(new Row("8b Broadcast send (send → audience frozen → rendered, tracked, outbox → SMTP accepted and recorded)",
            $"{bestOurs:0} emails/s; first email {bestFirst:0.00} s after send", $"{bestBase:0} emails/s (raw MailKit, pre-rendered)", Results.Pct(ratio),
            "≥ 70%; first < 5 s", Results.Yes(ratio >= 0.70 && bestFirst < 5),
            $"N={n}, {env.SmtpConnections} SMTP connections both sides; best of 2. Engine cost: {cost}"));
    }
}
