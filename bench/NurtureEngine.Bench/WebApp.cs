using System.Diagnostics;

namespace NurtureEngine.Bench;

/// <summary>The real web app (NurtureEngine.Web.dll) on a fresh copy of the seeded template, with an API client for it.</summary>
public sealed class WebApp : IAsyncDisposable
{
    public const string Key = "bench-latency-key-0123456789abcdef";
    private readonly Process _app;
    private readonly System.Text.StringBuilder _log = new();

    public HttpClient Http { get; }
    public string Url { get; }
    public string Database { get; }

    private WebApp(Process app, string url, string database)
    {
        _app = app;
        Url = url;
        Database = database;
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new("Bearer", Key);
    }

    public static async Task<WebApp> StartAsync(BenchEnv env, string database)
    {
        await Engine.AdminAsync(env, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        await Engine.AdminAsync(env, $"CREATE DATABASE {database} TEMPLATE {Engine.TemplateDb}");
        var url = $"http://127.0.0.1:{env.AppPort}";
        var start = new ProcessStartInfo("dotnet", [env.WebDll!])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(env.WebDll)!,
        };
        start.Environment["ConnectionStrings__Nurture"] = env.Db(database);
        start.Environment["Smtp__Host"] = env.SmtpHost;
        start.Environment["Smtp__Port"] = env.SmtpPort.ToString();
        start.Environment["Smtp__Security"] = "None";
        start.Environment["Smtp__MaxConnections"] = env.SmtpConnections.ToString();
        start.Environment["Nurture__BootstrapApiKey"] = Key;
        start.Environment["Nurture__PublicBaseUrl"] = "https://nurture.example";
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The bench measures the engine, not the rate limiter: one key and one IP send everything.
        start.Environment["RateLimits__ApiPerKeyPerMinute"] = "0";
        start.Environment["RateLimits__PublicPerIpPerMinute"] = "0";
        var app = new WebApp(Process.Start(start) ?? throw new InvalidOperationException("could not start the app"), url, database);
        // bench/run.sh stops it on exit even if this process is killed first.
        if (Environment.GetEnvironmentVariable("BENCH_APP_PIDFILE") is { Length: > 0 } pidFile) await File.WriteAllTextAsync(pidFile, app._app.Id.ToString());
        app._app.OutputDataReceived += (_, e) => { lock (app._log) app._log.AppendLine(e.Data); };
        app._app.ErrorDataReceived += (_, e) => { lock (app._log) app._log.AppendLine(e.Data); };
        app._app.BeginOutputReadLine();
        app._app.BeginErrorReadLine();
        var ready = Stopwatch.StartNew();
        while (true)
        {
            if (app._app.HasExited) throw new InvalidOperationException("the app exited: " + app.Tail());
            try { if ((await app.Http.GetAsync("/api/v1/health")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
            if (ready.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException("the app did not answer /api/v1/health: " + app.Tail());
            await Task.Delay(250);
        }
        return app;
    }

    public string Tail()
    {
        lock (_log) return _log.Length > 2000 ? _log.ToString()[^2000..] : _log.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_app.HasExited) { _app.Kill(entireProcessTree: true); await _app.WaitForExitAsync(); }
        _app.Dispose();
    }
}
