using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) that records every request it receives and
/// answers with scripted status codes first (e.g. 500, 500), then 200.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<int> _script;
    private readonly ConcurrentQueue<Request> _received = new();
    private readonly Task _loop;

    public WebhookReceiver(params int[] firstAnswers)
    {
        _script = new ConcurrentQueue<int>(firstAnswers);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hooks/nurture";
    public IReadOnlyList<Request> Received => _received.ToList();

    public async Task<IReadOnlyList<Request>> WaitForAsync(int count, int seconds = 30)
    {
        try
        {
            return await Eventually.GetAsync(() => Task.FromResult(Received), r => r.Count >= count, seconds, $"{count} webhook request(s) at the receiver");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; received {Received.Count} at {string.Join(", ", Received.Select(r => r.At.ToString("HH:mm:ss.fff")))}", e);
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            _received.Enqueue(new Request(context.Request.Url!.AbsolutePath, headers, body, DateTimeOffset.UtcNow));
            context.Response.StatusCode = _script.TryDequeue(out var status) ? status : 200;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
