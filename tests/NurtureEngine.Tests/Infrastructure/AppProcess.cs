using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// The real built app as a separate OS process (<c>dotnet NurtureEngine.Web.dll</c>) on a free
/// port, configured only by environment variables, as an operator runs it. Output is kept for
/// diagnostics; disposing kills the process tree.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(string name, IDictionary<string, string> environment)
    {
        Name = name;
        Port = FreePort();
        var dll = AppDll();
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = BaseUrl;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // A home of its own, as on a separate machine: nothing may be shared through local files
        // (ASP.NET Core would otherwise keep Data Protection keys in ~/.aspnet, shared by accident).
        Home = Directory.CreateTempSubdirectory("nurture-" + name + "-").FullName;
        start.Environment["HOME"] = Home;
        foreach (var (k, v) in environment) start.Environment[k] = v;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public string Home { get; }
    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static AppProcess Start(string name, IDictionary<string, string> environment) => new(name, environment);

    public HttpClient Client(HttpMessageHandler? handler = null) =>
        new(handler ?? new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Polls /health/ready until 200; fails with the process output if it exits or the deadline passes.</summary>
    public async Task WaitUntilReadyAsync(int seconds = 120)
    {
        using var client = Client();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} not ready within {seconds} s:\n{Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>The app as built next to the tests (src/NurtureEngine.Web/bin/&lt;configuration&gt;/net10.0).</summary>
    public static string AppDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name; // .../bin/<Configuration>/<tfm>
        var dll = RepoFiles.At("src", "NurtureEngine.Web", "bin", configuration, testBin.Name, "NurtureEngine.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the app is not at " + dll);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
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
}
