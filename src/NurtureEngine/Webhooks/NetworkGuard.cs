using System.Net;
using System.Net.Sockets;

namespace NurtureEngine.Webhooks;

/// <summary>
/// SSRF defence for outgoing webhooks: only public unicast addresses may be reached, unless
/// <see cref="WebhookOptions.AllowPrivateNetworks"/> is on. Every address a name resolves to is
/// checked (a name with one public and one private address is refused), and the check is repeated
/// at connect time on the address actually dialled, so DNS rebinding between check and use fails.
/// </summary>
public static class NetworkGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224                 // this network, private, loopback, multicast and reserved
                     || b[0] == 100 && b[1] is >= 64 and <= 127      // carrier-grade NAT
                     || b[0] == 169 && b[1] == 254                    // link-local, cloud metadata (169.254.169.254)
                     || b[0] == 172 && b[1] is >= 16 and <= 31        // private
                     || b[0] == 192 && b[1] == 168                    // private
                     || b[0] == 192 && b[1] == 0 && b[2] is 0 or 2    // IETF protocol assignments, TEST-NET-1
                     || b[0] == 192 && b[1] == 88 && b[2] == 99       // 6to4 relay anycast
                     || b[0] == 198 && b[1] is 18 or 19               // benchmarking
                     || b[0] == 198 && b[1] == 51 && b[2] == 100      // TEST-NET-2
                     || b[0] == 203 && b[1] == 0 && b[2] == 113);     // TEST-NET-3
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6None)) return false;
            var b = address.GetAddressBytes();
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) // NAT64: judge the embedded IPv4 address
                return IsPublic(new IPAddress(b[12..]));
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                     || b[0] == 0x00                                          // ::/8 reserved: IPv4-compatible ::127.0.0.1, IPv4-translated ::ffff:0:a.b.c.d
                     || b[0] == 0x01 && b[1] == 0x00 && b.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0 // discard-only 100::/64
                     || b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02          // 2001::/23 IETF assignments: Teredo 2001::/32, ORCHID 2001:10::/28, benchmarking
                     || b[0] == 0x20 && b[1] == 0x02                          // 6to4 2002::/16: tunnels to any IPv4 address, private ones too
                     || (b[0] & 0xfe) == 0xfc                                 // unique local (fc00::/7, e.g. fd00:ec2::254 metadata)
                     || b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8); // documentation
        }
        return false;
    }

    /// <summary>Resolves the host and returns a reason to refuse it, or null when every address is allowed.</summary>
    public static async Task<string?> RefusalAsync(string host, bool allowPrivate, CancellationToken ct)
    {
        if (allowPrivate) return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException e)
        {
            return $"{host} does not resolve: {e.Message}";
        }
        if (addresses.Length == 0) return $"{host} does not resolve";
        var blocked = addresses.FirstOrDefault(a => !IsPublic(a));
        return blocked is null ? null
            : $"{host} resolves to {blocked}, a private, loopback or link-local address; webhooks may only reach public addresses (Nurture__Webhooks__AllowPrivateNetworks=true allows them)";
    }
}

/// <summary>The guard refused an address (at connect time): a permanent failure, never retried blindly.</summary>
public sealed class BlockedAddressException(string message) : HttpRequestException(message);
