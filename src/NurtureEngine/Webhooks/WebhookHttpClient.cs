using System.Net;
using System.Net.Sockets;

namespace NurtureEngine.Webhooks;

/// <summary>
/// The one HttpClient webhooks are sent with: no redirects (a 3xx could point anywhere), no
/// proxy, and a <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host itself and
/// dials only addresses <see cref="NetworkGuard"/> allows.
/// </summary>
public static class WebhookHttpClient
{
    public static HttpClient Create(WebhookOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, options.AllowPrivateNetworks, ct),
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        if (!allowPrivate && addresses.FirstOrDefault(a => !NetworkGuard.IsPublic(a)) is { } blocked)
            throw new BlockedAddressException($"refused to connect to {endpoint.Host} ({blocked}): not a public address");
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
