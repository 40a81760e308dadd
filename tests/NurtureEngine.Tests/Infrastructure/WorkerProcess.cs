using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// The real built app as a separate OS process (role worker by default), on a given database and
/// the test SMTP sink: what a user runs in production, killable with SIGKILL. It listens on a
/// free port of its own and has a HOME of its own, as on a separate machine: nothing can be shared
/// through local files (ASP.NET Core would otherwise keep Data Protection keys in ~/.aspnet).
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private WorkerProcess(Process process, int port, string home)
    {
        _process = process;
        Port = port;
        Home = home;
    }

    public static WorkerProcess Start(string connectionString, string role = "worker", IDictionary<string, string>? settings = null)
    {
        var info = new ProcessStartInfo("dotnet", [AppDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ConnectionStrings__Nurture"] = connectionString;
        info.Environment["Nurture__Role"] = role;
        info.Environment["Nurture__SeedDemo"] = "false";
        info.Environment["Nurture__PublicBaseUrl"] = NurtureApp.PublicBaseUrl;
        info.Environment["Smtp__Host"] = "127.0.0.1";
        info.Environment["Smtp__Port"] = TestEnvironment.SmtpPort.ToString();
        info.Environment["Smtp__Security"] = "None";
        var port = FreePort();
        var home = Directory.CreateTempSubdirectory("nurture-app-").FullName;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["HOME"] = home;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the app");
        var worker = new WorkerProcess(process, port, home);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (worker._output) worker._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (worker._output) worker._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    public int Id => _process.Id;
    public int Port { get; }
    public string Home { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return string.Join('\n', _output.TakeLast(60)); } }
    /// <summary>Every line the process printed so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Lines { get { lock (_output) return [.. _output]; } }

    public HttpClient Client(HttpMessageHandler? handler = null) =>
        new(handler ?? new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Polls /health/ready until 200; fails with the process output if it exits or the deadline passes.</summary>
    public async Task WaitUntilReadyAsync(int seconds = 120)
    {
        using var client = Client();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the app exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the app was not ready within {seconds} s:\n{Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no lease release, mid-whatever it was doing.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as an orchestrator stopping the container: a graceful shutdown; waits for the exit.</summary>
    public async Task<int> TerminateAsync(int seconds = 90)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])!) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(seconds));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(Home, recursive: true); } catch (IOException) { /* best effort */ }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>src/NurtureEngine.Web/bin/&lt;Configuration&gt;/net10.0/NurtureEngine.Web.dll of this checkout.</summary>
    private static string AppDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testBin.Parent!.Name; // .../bin/<Configuration>/net10.0/
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "NurtureEngine.sln"))) root = root.Parent;
        var dll = Path.Combine(root!.FullName, "src", "NurtureEngine.Web", "bin", configuration, testBin.Name, "NurtureEngine.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first", dll);
    }
}
