using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;

namespace NurtureEngine.Bench;

/// <summary>BENCH_DIAG=1: scenario 1's two phases timed apart, and the SQL statements that took the time.</summary>
public static class Diagnostics
{
    public static bool Enabled => Environment.GetEnvironmentVariable("BENCH_DIAG") == "1";

    /// <summary>BENCH_DIAG=e2e: the end-to-end runs as measured, each followed by the SQL statements that took the time.</summary>
    public static bool EndToEnd => Environment.GetEnvironmentVariable("BENCH_DIAG") == "e2e";

    public static async Task SendPhasesAsync(Engine engine)
    {
        await engine.ExecAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()");
        using (var warm = engine.Services.CreateScope())
            await warm.ServiceProvider.GetRequiredService<SequenceRunner>().RunDueBatchAsync(CancellationToken.None); // JIT warm-up
        var proc = Process.GetCurrentProcess();
        var cpu = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        int ran, total = 0;
        do
        {
            using var scope = engine.Services.CreateScope();
            ran = await scope.ServiceProvider.GetRequiredService<SequenceRunner>().RunDueBatchAsync(CancellationToken.None);
            total += ran;
        } while (ran > 0);
        Console.WriteLine($"  diag: ran {total} steps in {sw.Elapsed.TotalSeconds:0.0} s = {total / sw.Elapsed.TotalSeconds:0}/s, CPU {(Cpu(proc) - cpu).TotalSeconds:0.0} s");
        await TopAsync(engine);
        cpu = Cpu(proc);
        sw.Restart();
        var sender = engine.Services.GetRequiredService<OutboxSender>();
        int sent;
        total = 0;
        do { sent = await sender.SendDueBatchAsync(200, CancellationToken.None); total += sent; } while (sent > 0);
        Console.WriteLine($"  diag: sent {total} in {sw.Elapsed.TotalSeconds:0.0} s = {total / sw.Elapsed.TotalSeconds:0}/s, CPU {(Cpu(proc) - cpu).TotalSeconds:0.0} s");
        await TopAsync(engine);
        throw new InvalidOperationException("diagnostic run only");
    }

    private static TimeSpan Cpu(Process p)
    {
        p.Refresh();
        return p.TotalProcessorTime;
    }

    public static async Task TopAsync(Engine engine, int limit = 20)
    {
        await using var c = new NpgsqlConnection(engine.Connection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            SELECT calls, round(total_exec_time)::bigint, round(mean_exec_time::numeric, 3)::float8, left(regexp_replace(query, '\s+', ' ', 'g'), 150)
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT {limit}
            """, c);
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) Console.WriteLine($"    {r.GetInt64(0),7} calls {r.GetInt64(1),7} ms {r.GetDouble(2),8} ms/call  {r.GetString(3)}");
        await using var total = new NpgsqlCommand("SELECT sum(calls)::bigint, round(sum(total_exec_time))::bigint FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())", c);
        await using (var r = await total.ExecuteReaderAsync())
            if (await r.ReadAsync()) Console.WriteLine($"    total: {r.GetInt64(0)} statements, {r.GetInt64(1)} ms in PostgreSQL");
        await using var reset = new NpgsqlCommand("SELECT pg_stat_statements_reset()", c);
        await reset.ExecuteNonQueryAsync();
    }
}
