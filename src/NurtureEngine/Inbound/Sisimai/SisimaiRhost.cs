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
    /// <summary>A receiving system: the host names it answers from, and how its text (and the status code) says why.</summary>
    private sealed record Host(string[] Names, Func<string, string?, string?> Find);

    private static readonly Host[] Hosts =
    [
        new(["smtp.secureserver.net", "mailstore1.secureserver.net"], (text, _) => GoDaddy(text)),
        new(["charter.net"], (text, _) => Spectrum(text)),
        new([".laposte.net", ".orange.fr", ".wanadoo.fr"], (text, _) => FrancePtt(text)),
        new([".ezweb.ne.jp", "msmx.au.com"], (text, _) => Kddi(text)),
        new([".prod.outlook.com", ".protection.outlook.com"], Microsoft),
    ];

    /// <summary>The reason a receiving system's own code or words give, or null.</summary>
    public static string? Find(string? remoteHost, string? recipientDomain, string? diagnostic, string? status = null)
    {
        if (string.IsNullOrWhiteSpace(diagnostic)) return null;
        var host = (remoteHost ?? "").Trim().ToLowerInvariant();
        var domain = (recipientDomain ?? "").Trim().ToLowerInvariant();
        if (host.Length + domain.Length == 0) return null;
        var module = Hosts.FirstOrDefault(h => h.Names.Any(n =>
            host.Length > 0 && host.Contains(n, StringComparison.Ordinal) || domain.Length > 0 && n.Contains(domain, StringComparison.Ordinal)));
        return module?.Find(diagnostic, status) is { Length: > 0 } reason ? reason : null;
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

    // ---- Exchange Online and Exchange Server (Sisimai::Rhost::Microsoft): the status code (or a range of its last
    // number) together with Microsoft's wording of the error. In Sisimai's order; the first that fits decides.
    private static readonly (string Reason, string Status, int From, int To, string Message)[] MicrosoftErrors =
    [
        ("authfailure", "4.7.26", 0, 0, "must pass either spf or dkim validation, this message is not signed"),
        ("authfailure", "4.7.323", 0, 0, "tlsa-invalid: the domain failed dane validation"),
        ("authfailure", "5.7.323", 0, 0, "tlsa-invalid: the domain failed dane validation"),
        ("authfailure", "4.7.324", 0, 0, "dnssec-invalid: destination domain returned invalid dnssec records"),
        ("authfailure", "5.7.324", 0, 0, "dnssec-invalid: destination domain returned invalid dnssec records"),
        ("authfailure", "4.7.325", 0, 0, "certificate-host-mismatch: remote certificate must have a common name or subject alternative name matching the hostname (dane)"),
        ("authfailure", "5.7.325", 0, 0, "certificate-host-mismatch: remote certificate must have a common name or subject alternative name matching the hostname (dane)"),
        ("authfailure", "5.7.23", 0, 0, "the message was rejected because of sender policy framework violation"),
        ("authfailure", "5.7.509", 0, 0, "does not pass dmarc verification"),
        ("badreputation", "4.7.650", 0, 0, "has been temporarily rate limited due to ip reputation"),
        ("blocked", "4.4.2", 0, 0, "connection dropped"),
        ("blocked", "4.7.", 850, 899, "access denied, please try again later"),
        ("blocked", "5.7.25", 0, 0, "must have a reverse dns record"),
        ("blocked", "5.7.506", 0, 0, "access denied, bad helo"),
        ("blocked", "5.7.507", 0, 0, "access denied, rejected by recipient"),
        ("blocked", "5.7.510", 0, 0, "does not accept email over ipv6"),
        ("blocked", "5.7.511", 0, 0, "access denied, banned sender"),
        ("blocked", "5.7.513", 0, 0, "using customer block list"),
        ("blocked", "5.7.", 606, 649, "access denied, banned sending ip "),
        ("blocked", "4.7.", 500, 699, "access denied, please try again later"),
        ("blocked", "5.5.4", 0, 0, "invalid domain name"),
        ("blocked", "5.7.51", 0, 0, "restrictdomainstoipaddresses or restrictdomainstocertificate"),
        ("blocked", "5.7.1", 0, 0, "part of their network is on our block list (s3150)"),
        ("contenterror", "5.3.0", 0, 0, "too many related errors"),
        ("contenterror", "5.6.11", 0, 0, "invalid characters"),
        ("contenterror", "5.4.11", 0, 0, "agent generated message depth exceeded"),
        ("contenterror", "5.5.6", 0, 0, "invalid message content"),
        ("exceedlimit", "5.2.3", 0, 0, "resolver.rst.recipsizelimit; message too large for this recipient"),
        ("expired", "4.4.1", 0, 0, "connection timed out"),
        ("expired", "4.4.7", 0, 0, "message delayed"),
        ("expired", "4.4.7", 0, 0, "queue expired; message expired"),
        ("expired", "4.4.7", 0, 0, "message expired"),
        ("expired", "5.4.300", 0, 0, "message expired"),
        ("mailboxfull", "5.2.2", 0, 0, "mailbox full"),
        ("mesgtoobig", "5.3.4", 0, 0, "message size exceeds fixed maximum message size"),
        ("mesgtoobig", "5.3.4", 0, 0, "message too big for system"),
        ("networkerror", "5.4.4", 0, 0, "smtpsend.dns.nonexistentdomain; nonexistent domain"),
        ("networkerror", "5.4.6", 0, 0, "hop count exceeded - possible mail loop"),
        ("networkerror", "5.4.4", 0, 0, "invalid arguments"),
        ("networkerror", "5.4.6", 0, 0, "routing loop detected"),
        ("networkerror", "5.4.14", 0, 0, "routing loop detected"),
        ("norelaying", "5.7.1", 0, 0, "unable to relay"),
        ("norelaying", "5.7.1", 0, 0, "client was not authenticated"),
        ("norelaying", "5.4.1", 0, 0, "relay access denied"),
        ("norelaying", "5.7.1", 0, 0, "unable to relay"),
        ("norelaying", "5.7.64", 0, 0, "tenantattribution; relay access denied"),
        ("notaccept", "4.3.2", 0, 0, "system not accepting network messages"),
        ("notaccept", "4.4.4", 0, 0, "hosted tenant which has no mail-enabled subscriptions"),
        ("notaccept", "5.3.2", 0, 0, "storedrv.deliver: missing or bad storedriver mdb properties"),
        ("policyviolation", "5.0.350", 0, 0, "x-dg-ref header is too long"),
        ("policyviolation", "5.0.350", 0, 0, "requested action not taken: policy violation detected (as345)"),
        ("policyviolation", "5.7.", 900, 999, "delivery not authorized, message refused"),
        ("rejected", "5.1.7", 0, 0, "invalid address"),
        ("rejected", "5.1.7", 0, 0, "unknown sender address"),
        ("rejected", "5.1.0", 0, 0, "sender denied"),
        ("rejected", "5.1.8", 0, 0, "access denied, bad outbound sender"),
        ("rejected", "5.7.1", 0, 0, "delivery not authorized"),
        ("rejected", "5.7.12", 0, 0, "sender was not authenticated by organization"),
        ("rejected", "5.7.124", 0, 0, "sender not in allowed-senders list"),
        ("rejected", "5.7.133", 0, 0, "sender not authenticated for group"),
        ("rejected", "5.7.134", 0, 0, "sender was not authenticated for mailbox"),
        ("rejected", "5.7.13", 0, 0, "sender was not authenticated for public folder"),
        ("rejected", "5.7.135", 0, 0, "sender was not authenticated for public folder"),
        ("rejected", "5.7.136", 0, 0, "sender was not authenticated"),
        ("rejected", "5.7.", 501, 503, "access denied, spam abuse detected"),
        ("rejected", "5.7.512", 0, 0, "access denied, message must be rfc 5322 section 3.6.2 compliant"),
        ("rejected", "5.7.750", 0, 0, "service unavailable. client blocked from sending from unregistered domains"),
        ("rejected", "5.7.", 501, 503, "access denied, banned sender"),
        ("securityerror", "5.7.3", 0, 0, "cannot achieve exchange server authentication"),
        ("securityerror", "5.7.3", 0, 0, "not authorized"),
        ("securityerror", "4.4.317", 0, 0, "starttls is required to send mail"),
        ("securityerror", "5.4.317", 0, 0, "starttls is required to send mail"),
        ("securityerror", "4.7.321", 0, 0, "starttls-not-supported: destination mail server must support tls to receive mail"),
        ("securityerror", "5.7.321", 0, 0, "starttls-not-supported: destination mail server must support tls to receive mail"),
        ("securityerror", "5.7.1", 0, 0, "client was not authenticated"),
        ("securityerror", "5.7.57", 0, 0, "client was not authenticated to send anonymous mail during mail from"),
        ("spamdetected", "5.2.1", 0, 0, "content filter agent quarantined this message"),
        ("speeding", "4.3.2", 0, 0, "storedrv.deliver; recipient thread limit exceeded"),
        ("speeding", "5.2.2", 0, 0, "submission quota exceeded"),
        ("speeding", "5.7.508", 0, 0, "has exceeded permitted limits within"),
        ("speeding", "5.7.", 700, 749, "access denied, tenant has exceeded threshold"),
        ("speeding", "5.7.", 700, 749, "access denied, traffic not accepted from this ip"),
        ("suspend", "5.7.504", 0, 0, "recipient address rejected: access denied"),
        ("suspend", "5.7.505", 0, 0, "access denied, banned recipient"),
        ("suspend", "5.2.1", 0, 0, "mailbox cannot be accessed"),
        ("syntaxerror", "5.3.3", 0, 0, "unrecognized command"),
        ("syntaxerror", "5.5.2", 0, 0, "send hello first"),
        ("systemerror", "4.3.2", 0, 0, "service not available"),
        ("systemerror", "4.3.2", 0, 0, "service not active"),
        ("systemerror", "5.3.5", 0, 0, "system incorrectly configured"),
        ("systemerror", "5.3.190", 0, 0, "journaling on-premises messages to microsoft 365 or office 365 not supported when journaling archive is disabled"),
        ("systemerror", "5.0.0", 0, 0, "helo / ehlo requires domain address"),
        ("systemerror", "5.1.4", 0, 0, "destination mailbox address ambiguous"),
        ("systemerror", "5.2.4", 0, 0, "mailing list expansion problem"),
        ("systemerror", "5.2.14", 0, 0, "misconfigured forwarding address"),
        ("systemerror", "4.4.3", 0, 0, "temporary server error. please try again later attr18"),
        ("systemerror", "4.7.0", 0, 0, "temporary server error. please try again later. prx4 nexthop:"),
        ("systemerror", "4.4.24", 0, 0, "message failed to be replicated: insufficient system resource:"),
        ("systemerror", "4.4.25", 0, 0, "message failed to be replicated: no healthy secondary server available to accept replica at this time."),
        ("systemerror", "4.4.28", 0, 0, "message failed to be replicated: the operation was canceled"),
        ("systemerror", "4.4.318", 0, 0, "(suspiciousremoteservererror)"),
        ("systemerror", "5.4.318", 0, 0, "(suspiciousremoteservererror)"),
        ("systemerror", "4.7.500", 0, 0, "server busy. please try again later from "),
        ("systemerror", "4.7.700", 0, 0, "pfa agent busy, please try again."),
        ("systemfull", "4.3.1", 0, 0, "insufficient system resources"),
        ("toomanyconn", "5.5.3", 0, 0, "too many recipients"),
        ("toomanyconn", "4.5.3", 0, 0, "too many recipients"),
        ("toomanyconn", "5.2.122", 0, 0, "the recipient has exceeded their limit for"),
        ("userunknown", "5.1.1", 0, 0, "resolver.adr.exrecipnotfound; not found"),
        ("userunknown", "5.1.1", 0, 0, "user unknown"),
        ("userunknown", "5.1.3", 0, 0, "storedrv.submit; invalid recipient address"),
        ("userunknown", "5.1.", 4, 5, "recipient address reserved by rfc 2606"),
        ("userunknown", "5.1.6", 0, 0, "recipient addresses in single label domains not accepted"),
        ("userunknown", "5.1.1", 0, 0, "bad destination mailbox address"),
        ("userunknown", "5.1.10", 0, 0, "recipient not found"),
        ("userunknown", "5.4.1", 0, 0, "recipient address rejected: access denied"),
        ("userunknown", "5.5.0", 0, 0, "requested action not taken: mailbox unavailable"),
        ("userunknown", "5.1.2", 0, 0, "invalid x.400 address"),
    ];

    private static string? Microsoft(string text, string? status)
    {
        if (status is null || status.Split('.') is not [_, _, var last] || !int.TryParse(last, out var third)) return null;
        var lower = FoldedText.Unfold(text).ToLowerInvariant();
        foreach (var e in MicrosoftErrors)
        {
            if (e.From == e.To ? status != e.Status : !status.Contains(e.Status, StringComparison.Ordinal) || third < e.From || third > e.To) continue;
            if (lower.Contains(e.Message, StringComparison.Ordinal)) return e.Reason;
        }
        return null;
    }
}
