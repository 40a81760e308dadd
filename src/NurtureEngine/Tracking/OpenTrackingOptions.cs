namespace NurtureEngine.Tracking;

/// <summary>
/// Configuration <c>Nurture:Opens</c>: which opens are machines, not people. Privacy proxies and
/// security scanners fetch the pixel without anyone reading: Apple Mail Privacy Protection
/// prefetches every image at delivery, Google and Yahoo proxy images, link scanners fetch at once.
/// </summary>
public sealed class OpenTrackingOptions
{
    /// <summary>An open this soon after the message was sent is a machine (prefetch at delivery).</summary>
    public int MachineOpenSeconds { get; set; } = 5;

    /// <summary>Whether machine opens score and trigger like real opens (default: no).</summary>
    public bool CountMachineOpens { get; set; }

    /// <summary>User-agent substrings of known prefetchers and proxies (case-insensitive).</summary>
    public List<string> MachineAgents { get; set; } =
    [
        "GoogleImageProxy", "ggpht.com", "YahooMailProxy", "Apple Mail Privacy", "AppleMailPrivacy",
        "Mimecast", "Barracuda", "Proofpoint", "Symantec", "bot", "crawler", "spider",
    ];
}
