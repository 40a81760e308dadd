namespace NurtureEngine.Tracking;

/// <summary>
/// Tells a person's open from a machine's: a fetch of the pixel within seconds of sending (Apple
/// Mail Privacy Protection and security scanners prefetch at delivery) or by a known proxy or
/// scanner user agent. Apple's prefetch proxy sends the bare user agent "Mozilla/5.0".
/// </summary>
public static class MachineOpenDetector
{
    /// <summary>Why this open is a machine's, or null for a person's.</summary>
    public static string? Reason(string? userAgent, DateTimeOffset? sentAt, DateTimeOffset now, OpenTrackingOptions options)
    {
        var agent = userAgent?.Trim() ?? "";
        if (agent.Length == 0) return "no user agent";
        if (agent == "Mozilla/5.0") return "Apple Mail Privacy Protection prefetch";
        var known = options.MachineAgents.FirstOrDefault(a => a.Length > 0 && agent.Contains(a, StringComparison.OrdinalIgnoreCase));
        if (known is not null) return $"known proxy or scanner ({known})";
        if (sentAt is { } sent && now - sent < TimeSpan.FromSeconds(options.MachineOpenSeconds))
            return $"opened {(now - sent).TotalSeconds:0.#} s after sending";
        return null;
    }
}
