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
        const string database = "bench_latency";
        await Engine.AdminAsync(env, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        await Engine.AdminAsync(env, $"CREATE DATABASE {database} TEMPLATE {Engine.TemplateDb}");
        const string key = "bench-latency-key-0123456789abcdef";
        var url = $"http://127.0.0.1:{env.AppPort}";
        var start = new ProcessStartInfo("dotnet", [env.WebDll])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(env.WebDll)!,
        };
        start.Environment["ConnectionStrings__Nurture"] = env.Db(database);
        start.Environment["Smtp__Host"] = env.SmtpHost;
        start.Environment["Smtp__Port"] = env.SmtpPort.ToString();
        start.Environment["Smtp__Security"] = "None";
        start.Environment["Smtp__MaxConnections"] = env.SmtpConnections.ToString();
        start.Environment["Nurture__BootstrapApiKey"] = key;
        start.Environment["Nurture__PublicBaseUrl"] = "https://nurture.example";
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The bench measures the engine, not the rate limiter: one key and one IP send everything.
        start.Environment["RateLimits__ApiPerKeyPerMinute"] = "0";
        start.Environment["RateLimits__PublicPerIpPerMinute"] = "0";
        using var app = Process.Start(start) ?? throw new InvalidOperationException("could not start the app");
        // bench/run.sh stops it on exit even if this process is killed first.
        if (Environment.GetEnvironmentVariable("BENCH_APP_PIDFILE") is { Length: > 0 } pidFile) await File.WriteAllTextAsync(pidFile, app.Id.ToString());
        var appLog = new System.Text.StringBuilder();
        app.OutputDataReceived += (_, e) => { lock (appLog) appLog.AppendLine(e.Data); };
        app.ErrorDataReceived += (_, e) => { lock (appLog) appLog.AppendLine(e.Data); };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", key);
            var ready = Stopwatch.StartNew();
            while (true)
            {
                if (app.HasExited) throw new InvalidOperationException("the app exited: " + Tail(appLog));
                try { if ((await http.GetAsync("/api/v1/health")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
                if (ready.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException("the app did not answer /api/v1/health: " + Tail(appLog));
                await Task.Delay(250);
            }
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
            if (latencies.Length == 0) throw new InvalidOperationException("no email arrived: " + Tail(appLog));
            double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
            Console.WriteLine($"  latency: {latencies.Length}/{count} arrived, p50 {P(0.5):0} ms, p90 {P(0.9):0} ms, p99 {P(0.99):0} ms, max {latencies[^1]:0} ms");
            Results.Add(new Row("4 Reaction latency: POST /api/v1/leads (enters stage → welcome sequence) → welcome email accepted by SMTP",
                $"p50 {P(0.5):0} ms, p99 {P(0.99):0} ms", "—", "—", "p99 < 2 s", Results.Yes(missing == 0 && P(0.99) < 2000),
                $"real app (NurtureEngine.Web.dll, LISTEN/NOTIFY wake-up, Hangfire.PostgreSql nudges as fallback), {count} leads at {rate}/s; p90 {P(0.9):0} ms, max {latencies[^1]:0} ms"
                + (missing > 0 ? $"; **{missing} not arrived within 90 s**" : "") + $"; the POST itself: median {postMs.Order().ElementAt(postMs.Count / 2):0} ms" + (slowPosts > 0 ? $", {slowPosts} POSTs took > 1 s" : "")));
        }
        finally
        {
            if (!app.HasExited) { app.Kill(entireProcessTree: true); await app.WaitForExitAsync(); }
        }
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

    private static string Tail(System.Text.StringBuilder log)
    {
        lock (log) return log.Length > 2000 ? log.ToString()[^2000..] : log.ToString();
    }
}
