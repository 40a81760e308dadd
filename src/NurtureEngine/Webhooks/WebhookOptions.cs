using System.ComponentModel.DataAnnotations;

namespace NurtureEngine.Webhooks;

/// <summary>Configuration section <c>Nurture:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Nurture:Webhooks";

    /// <summary>
    /// Off by default: a webhook URL may not point at loopback, private, link-local (cloud metadata)
    /// or other non-public addresses, checked when it is saved and again at every connect.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>First retry after this many seconds, doubling each time, capped at an hour.</summary>
    [Range(1, 3600)] public int RetryBaseSeconds { get; set; } = 10;
    /// <summary>Attempts before a delivery is given up (status <c>failed</c>; it can still be replayed).</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 12;
    [Range(1, 120)] public int TimeoutSeconds { get; set; } = 10;

    public TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(3600, RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempts - 1))));
}
