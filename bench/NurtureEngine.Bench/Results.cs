using System.Diagnostics;
using System.Text;

namespace NurtureEngine.Bench;

/// <summary>One row of bench/RESULTS.md.</summary>
public sealed record Row(string Scenario, string Ours, string Baseline, string Ratio, string Goal, string Met, string Notes);

public static class Results
{
    public static readonly List<Row> Rows = [];

    public static void Add(Row row)
    {
        Rows.Add(row);
        Console.WriteLine($"RESULT | {row.Scenario} | {row.Ours} | {row.Baseline} | {row.Ratio} | {row.Goal} | {row.Met} | {row.Notes}");
    }

    public static string Table()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| # | Scenario | Ours | Baseline | Ratio | Goal | Met? | Notes |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in Rows)
        {
            var dot = r.Scenario.IndexOf(' ');
            sb.AppendLine($"| {r.Scenario[..dot]} | {r.Scenario[(dot + 1)..]} | {r.Ours} | {r.Baseline} | {r.Ratio} | {r.Goal} | {r.Met} | {r.Notes} |");
        }
        return sb.ToString();
    }

    public static string Yes(bool ok) => ok ? "yes" : "**no**";
    public static string Ms(double ms) => ms < 10 ? $"{ms:0.0} ms" : $"{ms:0} ms";
    public static string Pct(double r) => r >= 0.01 ? $"{r * 100:0}%" : $"{r * 100:0.00}%";
}

/// <summary>Peak resident memory of this process while a measurement runs (VmRSS via WorkingSet64).</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    public long PeakBytes { get; private set; }

    public MemorySampler()
    {
        _loop = Task.Run(async () =>
        {
            using var p = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                p.Refresh();
                PeakBytes = Math.Max(PeakBytes, p.WorkingSet64);
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }
}
