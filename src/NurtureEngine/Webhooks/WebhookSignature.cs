using System.Security.Cryptography;
using System.Text;

namespace NurtureEngine.Webhooks;

/// <summary>
/// <c>X-Nurture-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.body")&gt;</c>.
/// The timestamp is signed too, so a receiver can refuse old replays of a captured request
/// (compare <c>t</c> with its clock, e.g. within 5 minutes) and verify in constant time.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Nurture-Signature";

    public static string Create(string secret, long unixSeconds, string body) => $"t={unixSeconds},v1={Hex(secret, unixSeconds, body)}";

    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        if (!parts.TryGetValue("t", out var t) || !long.TryParse(t, out var unix) || !parts.TryGetValue("v1", out var v1)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - unix) > tolerance.TotalSeconds) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hex(secret, unix, body)), Encoding.ASCII.GetBytes(v1));
    }

    private static string Hex(string secret, long unixSeconds, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{unixSeconds}.{body}")));
}
