using System.Text.RegularExpressions;

namespace NurtureEngine.Inbound.Sisimai;

/// <summary>
/// Sisimai::Rhost (https://github.com/sisimai/p5-sisimai, lib/Sisimai/Rhost*.pm, BSD 2-Clause): some receiving
/// systems say why they refused in their own codes ("IB607", "AUP#In-1310", "LPN007_416"), whatever the status
/// code. Matched by the remote host of the DSN (Remote-MTA) or the recipient's domain, as Sisimai does;
/// null when no module applies or it finds nothing.
/// </summary>
public static partial class SisimaiRhost
{
    private sealed record Host(string[] Names, Func<string, string?> Find);

    private static readonly Host[] Hosts =
    [
        new(["smtp.secureserver.net", "mailstore1.secureserver.net"], GoDaddy),
        new(["charter.net"], Spectrum),
        new([".laposte.net", ".orange.fr", ".wanadoo.fr"], FrancePtt),
        new([".ezweb.ne.jp", "msmx.au.com"], Kddi),
    ];

    /// <summary>The reason a receiving system's own code or words give, or null.</summary>
    public static string? Find(string? remoteHost, string? recipientDomain, string? diagnostic)
    {
        if (string.IsNullOrWhiteSpace(diagnostic)) return null;
        var host = (remoteHost ?? "").Trim().ToLowerInvariant();
        var domain = (recipientDomain ?? "").Trim().ToLowerInvariant();
        if (host.Length + domain.Length == 0) return null;
        var module = Hosts.FirstOrDefault(h => h.Names.Any(n =>
            host.Length > 0 && host.Contains(n, StringComparison.Ordinal) || domain.Length > 0 && n.Contains(domain, StringComparison.Ordinal)));
        return module?.Find(diagnostic) is { Length: > 0 } reason ? reason : null;
    }

    private static string? FirstPhrase(string text, (string Reason, string[] Phrases)[] table)
    {
        var lower = text.ToLowerInvariant();
        return table.FirstOrDefault(e => e.Phrases.Any(p => lower.Contains(p, StringComparison.Ordinal))).Reason;
    }

    // ---- GoDaddy (Sisimai::Rhost::GoDaddy): "IBnnn" codes, else phrases.
    private static readonly Dictionary<string, string> GoDaddyCodes = new()
    {
        ["IB401"] = "securityerror", ["IB501"] = "notcompliantrfc", ["IB502"] = "notcompliantrfc", ["IB506"] = "rejected",
        ["IB508"] = "authfailure", ["IB108"] = "requireptr", ["IB212"] = "spamdetected", ["IB705"] = "virusdetected",
        ["IB605"] = "toomanyconn", ["IB007"] = "toomanyconn", ["IB101"] = "speeding", ["IB110"] = "blocked",
        ["IB111"] = "blocked", ["IB112"] = "blocked", ["IB113"] = "blocked", ["IB504"] = "speeding", ["IB510"] = "speeding",
        ["IB607"] = "speeding", ["IB103"] = "badreputation", ["IB104"] = "blocked", ["IB105"] = "blocked", ["IB106"] = "blocked",
    };

    private static readonly (string, string[])[] GoDaddyPhrases =
    [
        ("blocked", ["rbl reject", "www.spamhaus.org/query/bl?ip="]),
        ("expired", ["has been in the queue too long", "delivery timeout"]),
        ("mailboxfull", ["account storage limit"]),
        ("spamdetected", ["message rejected for spam or virus content"]),
        ("suspend", ["account disabled"]),
        ("systemerror", ["message is looping"]),
        ("userunknown", ["recipient not found", "account does not exist"]),
    ];

    private static string? GoDaddy(string text)
    {
        var at = text.IndexOf(" IB", StringComparison.Ordinal);
        if (at > 1 && at + 6 <= text.Length && GoDaddyCodes.TryGetValue(text.Substring(at + 1, 5), out var reason)) return reason;
        return FirstPhrase(text, GoDaddyPhrases);
    }

    // ---- Spectrum (Sisimai::Rhost::Spectrum): "AUP#nnnn" codes in ranges.
    private static readonly (int From, int To, string Reason)[] SpectrumCodes =
    [
        (1000, 1000, "blocked"), (1010, 1010, "rejected"), (1020, 1080, "rejected"), (1090, 1090, "systemerror"),
        (1100, 1150, "requireptr"), (1160, 1190, "policyviolation"), (1200, 1210, "blocked"), (1220, 1250, "blocked"),
        (1260, 1260, "networkerror"), (1300, 1340, "toomanyconn"), (1350, 1490, "speeding"), (1500, 1500, "rejected"),
        (1520, 1520, "rejected"), (1530, 1530, "mesgtoobig"), (1540, 1540, "speeding"), (1550, 1550, "speeding"),
        (1560, 1560, "policyviolation"), (1580, 1580, "speeding"),
    ];

    [GeneratedRegex(@"AUP#[-A-Za-z]*(\d{4})")]
    private static partial Regex SpectrumCode();

    private static string? Spectrum(string text)
    {
        if (SpectrumCode().Match(text) is not { Success: true } m) return null;
        var code = int.Parse(m.Groups[1].Value);
        return SpectrumCodes.FirstOrDefault(e => code >= e.From && code <= e.To).Reason;
    }

    // ---- La Poste, Orange (Sisimai::Rhost::FrancePTT): "LPN007_416", "OFR004_201" codes; unknown codes are undefined.
    private static readonly Dictionary<int, string?> FrancePttCodes = new()
    {
        [101] = "blocked", [102] = "blocked", [103] = "blocked", [104] = "toomanyconn", [105] = null, [107] = null, [108] = null,
        [109] = null, [201] = null, [305] = "securityerror", [401] = "authfailure", [402] = "securityerror", [403] = "rejected",
        [405] = "rejected", [415] = "rejected", [416] = "userunknown", [417] = "mailboxfull", [420] = "suspend", [421] = "rejected",
        [423] = null, [424] = null, [426] = "suspend", [505] = "systemerror", [506] = "spamdetected", [510] = "blocked",
        [513] = null, [514] = "mesgtoobig", [517] = "authfailure", [630] = "policyviolation", [999] = "blocked",
    };

    [GeneratedRegex(@"\b(?:LPN|LPNAAA|OFR|OUK)(?:_[0-9]{3}|[0-9]{3}[-_][0-9]{3})\b", RegexOptions.IgnoreCase)]
    private static partial Regex FrancePttCode();

    private static string? FrancePtt(string text)
    {
        if (FrancePttCode().Match(text) is { Success: true } m)
            return FrancePttCodes.GetValueOrDefault(int.Parse(m.Value[^3..])) ?? "undefined";
        return text.Contains("spf/dns de votre nom de domaine", StringComparison.OrdinalIgnoreCase) ? "authfailure" : null;
    }

    // ---- au by KDDI, EZweb (Sisimai::Rhost::KDDI).
    private static string? Kddi(string text)
    {
        var lower = text.ToLowerInvariant();
        return lower.Contains("550 : user unknown", StringComparison.Ordinal) ? "filtered"
            : lower.Contains(">: user unknown", StringComparison.Ordinal) ? "userunknown" : null;
    }
}
