using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// A second tests/smtp-sink.py on a port of its own, writing into the shared sink's folder (so
/// <see cref="MailSink"/> sees what it accepts): a relay a test can bring up late or take down,
/// without touching the one every other test uses. <paramref name="options"/> go to the script
/// (e.g. <c>--no-smtputf8</c> for a relay without RFC 6531).
/// </summary>
public sealed class PrivateSmtpSink(params string[] options) : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = FreePort();

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("/usr/bin/python3", [RepoFiles.At("tests", "smtp-sink.py"), "--port", Port.ToString(), "--dir", TestEnvironment.MailDirectory, .. options])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start smtp-sink.py");
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("listening")) throw new InvalidOperationException($"smtp-sink.py did not start: {line}");
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
