using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// A test-owned TCP forwarder (in the spirit of toxiproxy) between the app and a shared server:
/// the app is pointed at <see cref="Port"/>, the proxy forwards to the real server. <see cref="TakeDown"/>
/// closes every live connection and stops listening (new connections are refused, as with a server
/// that is down); <see cref="BringBack"/> listens again on the same port. <see cref="TakeDownWhenClientSends"/>
/// arms a one-shot fault: the first client chunk containing the text is not forwarded, and the proxy
/// goes down at that moment (a fault at an exact point of a conversation, e.g. mid-poll). <see cref="HoldWhenClientSends"/>
/// holds such a chunk instead (a server that is slow to answer) until <see cref="Release"/>.
/// The shared server itself is never touched, so other tests keep using it.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _live = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private string? _trigger;
    private string? _hold;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;

    public TcpFaultProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        Port = PrivateSmtpSink.FreePort();
        BringBack();
    }

    public int Port { get; }
    public bool IsUp { get { lock (_gate) return _listener is not null; } }
    /// <summary>Connections accepted so far (a way to see that a client came back on its own).</summary>
    public int Connections => Volatile.Read(ref _connections);
    /// <summary>Set when an armed trigger fired.</summary>
    public TaskCompletionSource Triggered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void BringBack()
    {
        lock (_gate)
        {
            if (_listener is not null) return;
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _ = AcceptLoopAsync(listener);
        }
    }

    public void TakeDown()
    {
        List<TcpClient> live;
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            live = [.. _live];
            _live.Clear();
        }
        foreach (var c in live)
        {
            // A connection its pump has just closed has no socket any more (TcpClient.Client is null once disposed).
            if (c.Client is { } socket)
                try { socket.LingerState = new LingerOption(true, 0); } catch (ObjectDisposedException) { } catch (SocketException) { }
            c.Dispose();
        }
    }

    /// <summary>The next client chunk containing <paramref name="text"/> takes the proxy down instead of being forwarded.</summary>
    public Task TakeDownWhenClientSends(string text)
    {
        lock (_gate)
        {
            _trigger = text;
            Triggered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return Triggered.Task;
        }
    }

    /// <summary>The next client chunk containing <paramref name="text"/> is held, not forwarded, until <see cref="Release"/>; the task completes when it arrives.</summary>
    public Task HoldWhenClientSends(string text)
    {
        lock (_gate)
        {
            _hold = text;
            _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Triggered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return Triggered.Task;
        }
    }

    /// <summary>Forwards the held chunk: the conversation goes on.</summary>
    public void Release()
    {
        lock (_gate) _released.TrySetResult();
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException) { return; }
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        lock (_gate)
        {
            if (_listener is null) { client.Dispose(); upstream.Dispose(); return; }
            _live.Add(client);
            _live.Add(upstream);
        }
        Interlocked.Increment(ref _connections);
        try
        {
            await upstream.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            await Task.WhenAny(PumpAsync(client, upstream, inspect: true), PumpAsync(upstream, client, inspect: false));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException) { }
        finally
        {
            lock (_gate) { _live.Remove(client); _live.Remove(upstream); }
            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool inspect)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                var n = await input.ReadAsync(buffer, _stop.Token);
                if (n == 0) return;
                if (inspect)
                {
                    string? trigger, hold;
                    Task released;
                    lock (_gate) (trigger, hold, released) = (_trigger, _hold, _released.Task);
                    if (hold is not null && Encoding.ASCII.GetString(buffer, 0, n).Contains(hold, StringComparison.OrdinalIgnoreCase))
                    {
                        lock (_gate) _hold = null;
                        Triggered.TrySetResult();
                        await released.WaitAsync(_stop.Token);
                    }
                    if (trigger is not null && Encoding.ASCII.GetString(buffer, 0, n).Contains(trigger, StringComparison.OrdinalIgnoreCase))
                    {
                        lock (_gate) _trigger = null;
                        TakeDown();
                        Triggered.TrySetResult();
                        return;
                    }
                }
                await output.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException) { }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        TakeDown();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
