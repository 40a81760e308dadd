using System.Diagnostics;
using System.Net.Http.Json;

namespace NurtureEngine.Bench;

/// <summary>
/// Scenario 4: the real app (NurtureEngine.Web.dll, Hangfire nudges) is started on its own database;
/// leads are created over the API at a steady rate (a new lead enters stage "lead", which enrolls it in
/// the demo welcome sequence whose first step is an email); latency is POST sent → message accepted by
/// the sink (bench/counting-sink.py --arrivals records the time per @latency.test recipient).
/// </summary>
public static class LatencyScenario
{
    public static async Task RunAsync(BenchEnv env)
    {
        if (env.WebDll is null || env.ArrivalLog is null || env.AppPort == 0 || !File.Exists(env.WebDll))
        {
            Results.Add(new Row("4 Reaction latency", "not measured", "—", "—", "p99 < 2 s", "—", "needs --web-dll, --arrivals and --app-port (bench/run.sh passes them)"));
            return;
        }
        var (count, rate) = env.Quick ? (150, 5) : (1_000, 5);
        await using var app = await WebApp.StartAsync(env, "bench_latency");
        var http = app.Http;
        // Warm-up: the first request and the first job pay for JIT; not counted.
        var warm = $"warm-{Guid.NewGuid():N}@latency.test";
        (await http.PostAsJsonAsync("/api/v1/leads", new { email = warm })).EnsureSuccessStatusCode();
        await WaitForAsync(env.ArrivalLog, [warm], TimeSpan.FromSeconds(60));

        var sentAt = new Dictionary<string, long>();
        var run = Guid.NewGuid().ToString("N")[..8];
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var clock = Stopwatch.StartNew();
        var posts = new List<Task>();
        var slowPosts = 0;
        var postMs = new System.Collections.Concurrent.ConcurrentBag<double>();
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var email = $"l{i}-{run}@latency.test";
            sentAt[email] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L;
            posts.Add(Task.Run(async () =>
            {
                var sw = Stopwatch.StartNew();
                (await http.PostAsJsonAsync("/api/v1/leads", new { email })).EnsureSuccessStatusCode();
                postMs.Add(sw.Elapsed.TotalMilliseconds);
                if (sw.Elapsed > TimeSpan.FromSeconds(1)) Interlocked.Increment(ref slowPosts);
            }));
        }
        await Task.WhenAll(posts);
        var arrivals = await WaitForAsync(env.ArrivalLog, sentAt.Keys, TimeSpan.FromSeconds(90));
        var latencies = sentAt.Where(kv => arrivals.ContainsKey(kv.Key))
            .Select(kv => (arrivals[kv.Key] - kv.Value) / 1e6).Order().ToArray();
        var missing = count - latencies.Length;
        if (latencies.Length == 0) throw new InvalidOperationException("no email arrived: " + app.Tail());
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        Console.WriteLine($"  latency: {latencies.Length}/{count} arrived, p50 {P(0.5):0} ms, p90 {P(0.9):0} ms, p99 {P(0.99):0} ms, max {latencies[^1]:0} ms");
        Results.Add(new Row("4 Reaction latency: POST /api/v1/leads (enters stage → welcome sequence) → welcome email accepted by SMTP",
            $"p50 {P(0.5):0} ms, p99 {P(0.99):0} ms", "—", "—", "p99 < 2 s", Results.Yes(missing == 0 && P(0.99) < 2000),
            $"real app (NurtureEngine.Web.dll, LISTEN/NOTIFY wake-up, Hangfire.PostgreSql nudges as fallback), {count} leads at {rate}/s; p90 {P(0.9):0} ms, max {latencies[^1]:0} ms"
            + (missing > 0 ? $"; **{missing} not arrived within 90 s**" : "") + $"; the POST itself: median {postMs.Order().ElementAt(postMs.Count / 2):0} ms" + (slowPosts > 0 ? $", {slowPosts} POSTs took > 1 s" : "")));
    }

    private static async Task<Dictionary<string, long>> WaitForAsync(string file, IEnumerable<string> recipients, TimeSpan timeout)
    {
        var wanted = recipients.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var found = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            found.Clear();
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync() is { } line)
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 2 && wanted.Contains(parts[0]) && !found.ContainsKey(parts[0])) found[parts[0]] = long.Parse(parts[1]);
                }
            }
            if (found.Count >= wanted.Count) break;
            await Task.Delay(200);
        }
        return found;
    }
}
