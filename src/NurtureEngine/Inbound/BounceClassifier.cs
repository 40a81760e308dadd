using System.Text.RegularExpressions;
using NurtureEngine.Inbound.Sisimai;

namespace NurtureEngine.Inbound;

/// <summary>
/// Hard or soft, from an RFC 3463 enhanced status code and the words around it (API.md "Inbound
/// mail"). Hard only when the address itself is bad: 5.1.1, 5.1.2, 5.1.6, 5.1.10, 5.2.1, or, without
/// a specific code, words such as "user unknown" or "no such domain". Everything else that failed
/// is soft with its reason: class 4, mailbox full (5.2.2), delays, and policy, content or reputation
/// rejections (5.7.x, spam, blocked) — a spam block says nothing about the address.
/// Used for DSNs, non-standard bounce texts, SMTP replies at send time and webhook reports.
/// </summary>
public static partial class BounceClassifier
{
    public sealed record Verdict(bool Hard, string? Status, string Category, string Reason);

    private static readonly HashSet<string> HardCodes = ["5.1.1", "5.1.2", "5.1.6", "5.1.10", "5.2.1"];

    /// <summary>RFC 3463 x.y.z with class 2, 4 or 5, not part of a longer dotted number (an IP address, a version).</summary>
    [GeneratedRegex(@"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)")]
    public static partial Regex EnhancedCode();

    /// <summary>An RFC 5321 reply code at the start of a reply or after a separator ("550 ", "550-", "#550").</summary>
    [GeneratedRegex(@"(?:^|[\s#'""(:;])([45][0-5]\d)(?:[\s-]|$)", RegexOptions.Multiline)]
    private static partial Regex BasicCode();

    [GeneratedRegex(@"user unknown|unknown user|unknown recipient|recipient unknown|unknown (?:local[- ]?part|mailbox|address)|" +
        @"no such (?:user|recipient|mailbox|address|account|person|domain|local user)|" +
        @"(?:does not|doesn't|did not|do not) exist|" +
        @"(?:mailbox|account|user|address|recipient)(?: is| has been)? (?:not found|unavailable|disabled|inactive|deactivated|suspended|closed|terminated|invalid|unknown)|" +
        @"(?:mailbox|account|user|address|recipient) (?:name )?(?:is )?not (?:valid|available|found)|" +
        @"address not found|recipient not found|recip(?:ient)?notfound|invalid (?:recipient|mailbox|address|user)|not a valid (?:recipient|mailbox|address|user)|" +
        @"address rejected|unrouteable address|unroutable address|no mailbox here|no valid recipients|" +
        @"no longer (?:active|in use|valid|available|exists)|" +
        @"domain (?:name )?(?:not found|does not exist|couldn't be found|could not be found)|host or domain name not found|nxdomain|" +
        @"(?:does not|doesn't) have an? [\w.-]+ account|wasn't found at|was not found at|couldn't be found|could not be found|" +
        @"bad destination (?:mailbox|system) address|mailbox disabled|" +
        @"benutzer unbekannt|empfänger unbekannt|unbekannter empfänger|existiert nicht|utilisateur inconnu|destinataire inconnu|n'existe pas|usuario desconocido|no existe",
        RegexOptions.IgnoreCase)]
    private static partial Regex HardWords();

    [GeneratedRegex(@"mailbox (?:is )?full|over ?quota|quota exceeded|exceeded (?:the |its )?(?:storage|quota)|insufficient (?:storage|system storage)|out of storage|storage (?:space|limit)|too much mail",
        RegexOptions.IgnoreCase)]
    private static partial Regex FullWords();

    [GeneratedRegex(@"\bspam\b|junk|blocked|block ?list|black ?list|deny ?list|denylist|\bpolicy\b|policies|reputation|\brbl\b|spamhaus|barracuda|" +
        @"access denied|not (?:authori[sz]ed|permitted|allowed)|rejected for (?:policy|content)|prohibited|" +
        @"dmarc|\bspf\b|\bdkim\b|unauthenticated|authentication|content|virus|malware|phish|suspicious|" +
        @"rate limit|too many|throttl|unusual (?:rate|volume)|complaints|abuse|sender verify|verification failed|sender address|" +
        @"\bsender\b.{0,40}\b(?:rejected|denied|unrouteable|unroutable|invalid)",
        RegexOptions.IgnoreCase)]
    private static partial Regex PolicyWords();

    [GeneratedRegex(@"delay|deferred|will (?:be )?retr|still trying|try again|temporar|greylist|graylist|timed out|timeout|expired|couldn't connect|could not connect|connection refused",
        RegexOptions.IgnoreCase)]
    private static partial Regex TemporaryWords();

    /// <summary>
    /// Classifies one failure. <paramref name="status"/> is a DSN Status field (may be null or generic
    /// such as 5.0.0); <paramref name="text"/> the diagnostic or the bounce's own words (never the quoted
    /// original); <paramref name="delayed"/> a DSN with Action: delayed; <paramref name="report"/> the text is a
    /// bounce report from another system (a DSN, a bounce text), not a reply to our own SMTP session;
    /// <paramref name="remoteHost"/> the receiving host that refused (a DSN's Remote-MTA) and <paramref name="recipient"/>
    /// the failed address, for the systems that answer in their own codes (<see cref="SisimaiRhost"/>);
    /// <paramref name="preset"/> the reason the reporting system's own module found (<see cref="SisimaiLhost"/>);
    /// <paramref name="diagnosticType"/> the type of a DSN's Diagnostic-Code ("smtp", "x-unix"); <paramref name="transcript"/>
    /// the bounce's own words around a DSN's diagnostic, read only for the SMTP command that was refused.
    /// </summary>
    public static Verdict Classify(string? status, string? text, bool delayed = false, bool report = false, string? remoteHost = null, string? recipient = null,
        string? preset = null, string? diagnosticType = null, string? transcript = null)
    {
        text = LineFeedsOnly(text ?? "");
        var basic = BasicCode().Match(text) is { Success: true } m ? m.Groups[1].Value : null;
        var (field, inText) = (ParseEnhanced(status), FirstEnhanced(text));
        // Both a Status field and a code in the text: Sisimai's rule picks one; else the specific one wins.
        var code = field is not null && inText is not null ? SisimaiStatus.Prefer(field, inText, basic)
            : Specific(field) ?? Specific(inText) ?? field ?? inText;
        var cls = code?[0] ?? basic?[0];
        var reason = Reason(text, code, basic);

        if (delayed || cls == '4')
        {
            var category = delayed || code == "4.4.7" || TemporaryWords().IsMatch(text) && text.Contains("delay", StringComparison.OrdinalIgnoreCase) ? "delayed"
                : code is "4.2.2" || FullWords().IsMatch(text) ? "mailbox_full"
                : code?.StartsWith("4.7.") == true || PolicyWords().IsMatch(text) ? "policy" : "temporary";
            return new Verdict(false, code ?? (basic is null ? "4.0.0" : $"{basic[0]}.0.0"), category, reason);
        }
        // Sisimai's reading (its reason patterns and status table) decides when it finds a reason; else our words do.
        var sisimai = SisimaiReason.Get(code, text, delayed, assumeRcpt: !report, preset,
            rhost: () => SisimaiRhost.Find(remoteHost, DomainOf(recipient), text, code), diagnosticType,
            transcript is null ? null : LineFeedsOnly(transcript));
        // A report Sisimai cannot place (onhold, undefined) is soft there: never suppress on it.
        if (sisimai is not ("onhold" or "undefined") || report)
        {
            var hard = SisimaiReason.IsHard(sisimai, code ?? basic, text);
            return new Verdict(hard, code ?? (basic is null ? (hard ? "5.0.0" : null) : $"{basic[0]}.0.0"), hard ? "address" : CategoryOf(code, text), reason);
        }
        if (code is not null && Specific(code) is not null)
        {
            if (HardCodes.Contains(code)) return new Verdict(true, code, "address", reason);
            return new Verdict(false, code, CategoryOf(code, text), reason);
        }
        // No specific code: the words decide; any sign of a full box, a policy or a temporary problem keeps it soft.
        var soft = FullWords().IsMatch(text) || PolicyWords().IsMatch(text) || TemporaryWords().IsMatch(text);
        var generic = code ?? (basic is null ? null : $"{basic[0]}.0.0");
        if (generic is null && HardWords().IsMatch(text) && !soft) generic = "5.0.0";
        if (HardWords().IsMatch(text) && !soft) return new Verdict(true, generic, "address", reason);
        return new Verdict(false, generic, CategoryOf(generic, text), reason);
    }

    private static string CategoryOf(string? code, string text) =>
        code is "5.2.2" or "4.2.2" || FullWords().IsMatch(text) ? "mailbox_full"
        : code?.StartsWith("5.7.") == true || code?.StartsWith("4.7.") == true || PolicyWords().IsMatch(text) ? "policy"
        : code is "5.3.4" or "5.2.3" || code?.StartsWith("5.6.") == true ? "content"
        : code is "4.4.7" or "5.4.7" || TemporaryWords().IsMatch(text) ? "delayed"
        : code?.StartsWith("5.4.") == true ? "routing"
        : "other";

    /// <summary>The status code in a DSN Status field ("5.1.1 (bad destination mailbox address)").</summary>
    public static string? ParseEnhanced(string? status) =>
        status is not null && EnhancedCode().Match(status) is { Success: true } m ? Normalize(m) : null;

    public static string? FirstEnhanced(string text) =>
        EnhancedCode().Matches(text).Select(Normalize).FirstOrDefault(c => c[0] != '2');

    private static string Normalize(Match m) => $"{m.Groups[1].Value}.{int.Parse(m.Groups[2].Value)}.{int.Parse(m.Groups[3].Value)}";

    /// <summary>Codes that say only "failed" or name no cause decisively (x.0.0, "other address/mailbox
    /// status", "unable to route"): the words decide, so "5.4.4 Host or domain name not found" is hard.</summary>
    private static readonly HashSet<string> Undecided = ["5.1.0", "5.2.0", "5.3.0", "5.4.0", "5.4.4", "5.5.0"];

    /// <summary>Null for a code that does not decide hard or soft by itself.</summary>
    private static string? Specific(string? code) => code is null || code.EndsWith(".0.0") || Undecided.Contains(code) ? null : code;

    /// <summary>The most telling line: the one with the code, else the first non-empty one.</summary>
    private static string Reason(string text, string? code, string? basic)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = (code is null ? null : lines.FirstOrDefault(l => l.Contains(code, StringComparison.Ordinal) && l.Length > code.Length + 3))
            ?? lines.FirstOrDefault(l => HardWords().IsMatch(l) || FullWords().IsMatch(l) || PolicyWords().IsMatch(l))
            ?? (basic is null ? null : lines.FirstOrDefault(l => l.Contains(basic, StringComparison.Ordinal)))
            ?? lines.FirstOrDefault()
            ?? "delivery failed";
        return line.Length > 300 ? line[..300] : line;
    }

    private static string? DomainOf(string? address) => address?[(address.LastIndexOf('@') + 1)..].Trim().TrimEnd('>');

    /// <summary>CRLF read as LF, so that patterns anchored at line ends match whatever line breaks the bounce used.</summary>
    private static string LineFeedsOnly(string text) => text.Replace("\r", "");
}
