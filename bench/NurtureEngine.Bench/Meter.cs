using System.Diagnostics;
using Npgsql;

namespace NurtureEngine.Bench;

/// <summary>SQL statements (pg_stat_statements) and this process's CPU time spent per item of work.</summary>
public sealed class Meter
{
    private readonly Engine _engine;
    private readonly TimeSpan _cpu;

    private Meter(Engine engine, TimeSpan cpu)
    {
        _engine = engine;
        _cpu = cpu;
    }

    public static async Task<Meter> StartAsync(Engine engine)
    {
        await engine.ExecAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        await engine.ExecAsync("SELECT pg_stat_statements_reset()");
        return new Meter(engine, Cpu());
    }

    public async Task<string> StopAsync(int items, string item)
    {
        var cpu = Cpu() - _cpu;
        await using var c = new NpgsqlConnection(_engine.Connection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT coalesce(sum(calls), 0)::bigint, coalesce(sum(total_exec_time), 0)::float8 FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, c);
        long statements;
        double dbMs;
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            statements = r.GetInt64(0);
            dbMs = r.GetDouble(1);
        }
        var perStatement = await RoundTripCpuMsAsync(c);
        var perItem = statements / (double)items;
        return $"{perItem:0.0} SQL statements/{item} ({dbMs / items:0.00} ms PostgreSQL time/{item}), {cpu.TotalMilliseconds / items:0.0} ms .NET CPU/{item}; "
            + $"a bare Npgsql round trip costs {perStatement:0.000} ms client CPU here, so the statements alone are ≥ {perItem * perStatement:0.0} ms/{item}";
    }

    /// <summary>Client CPU of one bare round trip (<c>SELECT $1</c>, unprepared, like EF's): the floor under every statement.</summary>
    private static async Task<double> RoundTripCpuMsAsync(NpgsqlConnection c)
    {
        const int n = 2_000;
        var best = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var start = Cpu();
            for (var i = 0; i < n; i++)
            {
                await using var cmd = new NpgsqlCommand("SELECT $1", c);
                cmd.Parameters.AddWithValue(i);
                await cmd.ExecuteScalarAsync();
            }
            best = Math.Min(best, (Cpu() - start).TotalMilliseconds / n);
        }
        return best;
    }

    private static TimeSpan Cpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }
}
