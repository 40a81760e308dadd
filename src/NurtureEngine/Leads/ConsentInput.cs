using NurtureEngine.Common;

namespace NurtureEngine.Leads;

/// <summary>
/// Proof of consent given on subscribe (GDPR art. 7(1)): where, when, from which address, and the
/// exact wording the person agreed to. Recorded on the timeline as <c>consent_given</c>, so it is
/// part of the lead's export and goes with the lead on erasure.
/// </summary>
public sealed class ConsentInput
{
    /// <summary>Where it was given, e.g. "pricing page form".</summary>
    public string? Source { get; set; }
    /// <summary>The text shown next to the checkbox or button, word for word.</summary>
    public string? Text { get; set; }
    /// <summary>The subscriber's IP address as the form saw it.</summary>
    public string? Ip { get; set; }
    /// <summary>When it was given; default: when the API received it.</summary>
    public DateTimeOffset? At { get; set; }

    public void Validate(Errors errors, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(Source) || Source.Length > 200) errors.Add("consent.source", "is required (at most 200 characters)");
        if (string.IsNullOrWhiteSpace(Text) || Text.Length > 5000) errors.Add("consent.text", "is required: the wording shown to the person (at most 5,000 characters)");
        if (Ip is not null && !System.Net.IPAddress.TryParse(Ip, out _)) errors.Add("consent.ip", "must be an IPv4 or IPv6 address");
        if (At > now.AddMinutes(5)) errors.Add("consent.at", "must not be in the future");
    }
}
