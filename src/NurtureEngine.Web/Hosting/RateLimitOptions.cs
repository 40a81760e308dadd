using System.ComponentModel.DataAnnotations;

namespace NurtureEngine.Web.Hosting;

/// <summary>
/// Configuration section <c>RateLimits</c>: requests per minute (fixed one-minute windows) before a
/// 429 with Retry-After. 0 turns a limit off. Defaults are far above honest use.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests to /api per API key (requests without a key: per IP).</summary>
    [Range(0, 10_000_000)] public int ApiPerKeyPerMinute { get; set; } = 60_000;
    /// <summary>Tracking (/t) and unsubscribe/preferences (/u) requests per client IP. Mail providers'
    /// image proxies fetch many recipients' pixels from few IPs: keep this high.</summary>
    [Range(0, 10_000_000)] public int PublicPerIpPerMinute { get; set; } = 6_000;
    /// <summary>Sign-in attempts (POST /account/login) per client IP; per-account lockout comes on top.</summary>
    [Range(0, 100_000)] public int LoginPerIpPerMinute { get; set; } = 30;
    /// <summary>Public form submissions (POST /f/{key}) per client IP: a flood of sign-ups from one address is a bot's.</summary>
    [Range(0, 100_000)] public int FormSubmitsPerIpPerMinute { get; set; } = 20;
}
