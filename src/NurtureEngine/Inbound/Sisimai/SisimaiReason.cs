using System.Text.RegularExpressions;

namespace NurtureEngine.Inbound.Sisimai;

/// <summary>
/// The bounce reason Sisimai would give (a port of Sisimai::Reason get/anotherone and each reason's
/// <c>true</c> test, https://github.com/sisimai/p5-sisimai, BSD 2-Clause), from a DSN Status code, the
/// diagnostic text and whether delivery was only delayed; and whether that reason is a hard bounce
/// (Sisimai::SMTP::Failure.is_hardbounce: userunknown, hostunknown, hasmoved, and notaccept unless temporary).
/// The patterns are Sisimai's own (<see cref="SisimaiPatterns"/>).
/// </summary>
public static partial class SisimaiReason
{
    private static readonly string[] First =
        ["mailboxfull", "mesgtoobig", "exceedlimit", "suspend", "hasmoved", "norelaying", "authfailure", "userunknown",
         "filtered", "requireptr", "notcompliantrfc", "badreputation", "rejected", "hostunknown", "spamdetected", "speeding",
         "toomanyconn", "blocked"];

    private static readonly string[] Fallback =
        ["mailboxfull", "authfailure", "badreputation", "speeding", "spamdetected", "virusdetected", "policyviolation",
         "norelaying", "systemerror", "networkerror", "suspend", "contenterror", "systemfull", "notaccept", "expired",
         "securityerror", "mailererror"];

    private static readonly string[] UserUnknownPrematches = ["norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "notaccept"];

    private static readonly HashSet<string> Retry =
        ["undefined", "onhold", "systemerror", "securityerror", "expired", "suspend", "networkerror", "hostunknown", "userunknown"];

    /// <summary>The SMTP command a rejection answered, as the bounce text says it ("in reply to RCPT TO command", "&gt;&gt;&gt; DATA").</summary>
    [GeneratedRegex(@"in reply to (?:the )?(rcpt|mail|data|end of data|helo|ehlo|connect)|after (rcpt|mail|data|end of data|helo|ehlo|initial connection)|" +
        @">>> (rcpt|mail|data|helo|ehlo)\b|\((rcpt|mail|data)\)|\b(rcpt) to:|\b(mail) from:|smtp error from remote mail server after (rcpt|mail|data|end of data|helo|ehlo)",
        RegexOptions.IgnoreCase)]
    private static partial Regex CommandPattern();

    /// <summary>The reason Sisimai's Status table names for a code ("5.1.1" → userunknown), or "".</summary>
    public static string NameOf(string? status) =>
        status is not null && SisimaiPatterns.StatusReason.TryGetValue(status, out var name) ? name : "";

    /// <summary>Whether <paramref name="text"/> (lower case) matches one reason's patterns (that reason's <c>match</c>).</summary>
    public static bool Matches(string reason, string text)
    {
        if (text.Length == 0 || !SisimaiPatterns.Reasons.TryGetValue(reason, out var p)) return false;
        if (p.IsNot.Any(s => text.Contains(s, StringComparison.Ordinal))) return false;
        return p.Index.Any(s => text.Contains(s, StringComparison.Ordinal)) || p.Pairs.Any(pair => Aligned(text, pair));
    }

    /// <summary>Sisimai::String->aligned: every piece appears, in order, without overlapping.</summary>
    private static bool Aligned(string text, string[] pieces)
    {
        var from = 0;
        foreach (var piece in pieces)
        {
            var at = text.IndexOf(piece, from, StringComparison.Ordinal);
            if (at < 0) return false;
            from = at + piece.Length;
        }
        return true;
    }

    /// <summary>"RCPT", "MAIL", "DATA", "HELO", "CONN" or "" when the text does not say.</summary>
    public static string Command(string text)
    {
        var m = CommandPattern().Match(text);
        if (!m.Success) return "";
        var word = m.Groups.Values.Skip(1).First(g => g.Success).Value.ToLowerInvariant();
        return word switch
        {
            "rcpt" => "RCPT", "mail" => "MAIL", "data" or "end of data" => "DATA", "helo" or "ehlo" => "HELO", _ => "CONN",
        };
    }

    private static readonly string[] Detectable =
        ["HELO", "EHLO", "STARTTLS", "AUTH PLAIN", "AUTH LOGIN", "AUTH CRAM-", "AUTH DIGEST-", "MAIL F", "RCPT", "RCPT T", "DATA", "QUIT", "XFORWARD"];

    /// <summary>Sisimai::SMTP::Command->find: the last SMTP command named in capitals ("SMTP:RCPT host …", "[RCPT_TO]"), or "".</summary>
    public static string Find(string text)
    {
        var found = "";
        var from = 0;
        foreach (var word in Detectable)
        {
            var at = text.IndexOf(word, from, StringComparison.Ordinal);
            if (at < 0) continue;
            if (at + 4 > text.Length) break;
            from = at;
            found = text.Substring(at, 4) switch { "EHLO" => "HELO", "MAIL" => "MAIL", "RCPT" => "RCPT", "DATA" => "DATA", "HELO" => "HELO", _ => found };
        }
        return found;
    }

    /// <summary>Sisimai's reason for one failed recipient.</summary>
    /// <param name="assumeRcpt">A text that names no SMTP command answered RCPT TO (true for our own SMTP session's
    /// replies; false for a report from elsewhere, where Sisimai reads such a "user unknown" as filtered).</param>
    /// <param name="preset">The reason the reporting system's module gave (Sisimai::Lhost), if any.</param>
    /// <param name="rhost">The reason the receiving system's own codes give (Sisimai::Rhost), asked only when no module decided.</param>
    /// <param name="transcript">The bounce's own text around the diagnostic, read only for the SMTP command it names.</param>
    /// <param name="diagnosticType">The type of a DSN's Diagnostic-Code ("smtp", "x-unix"): only an SMTP reply (or an untyped
    /// text) is read for the reasons of an SMTP session; a local delivery program's error is a mailer error.</param>
    public static string Get(string? status, string? diagnostic, bool delayed, bool assumeRcpt = false, string? preset = null, Func<string?>? rhost = null,
        string? diagnosticType = null, string? transcript = null)
    {
        var smtp = string.IsNullOrWhiteSpace(diagnosticType) || diagnosticType.Trim().Equals("smtp", StringComparison.OrdinalIgnoreCase);
        var text = FoldedText.Unfold(diagnostic).ToLowerInvariant();
        if (status is not null && status.StartsWith("2.", StringComparison.Ordinal)) return "delivered";
        // Office 365's 5.1.10 "RecipientNotFound" (Sisimai::Rhost::Microsoft): the recipient does not exist.
        if (status == "5.1.10") return "userunknown";
        var named = NameOf(status);
        var command = Command(text);
        // Sisimai::Lhost::Office365's commandset: "… unknown recipient or mailbox unavailable -> 550 …" quotes the RCPT TO reply.
        if (command.Length == 0 && text.Contains("unknown recipient or mailbox unavailable ->", StringComparison.Ordinal) && text.Contains('@')) command = "RCPT";
        if (command.Length == 0) command = Find(diagnostic ?? "");
        if (command.Length == 0 && transcript is not null) command = Command(transcript.ToLowerInvariant());
        if (command.Length == 0 && assumeRcpt && named.Length == 0) command = "RCPT"; // a code that names another reason wins
        // A mail system's own phrase decides, as its Sisimai::Lhost module does, unless the reason is one Sisimai re-checks.
        preset ??= SisimaiPatterns.LhostMessages.FirstOrDefault(m => text.Contains(m.Phrase, StringComparison.Ordinal)).Reason;
        if (preset is not null && !Retry.Contains(preset)) return preset;
        if (rhost?.Invoke() is { } byHost) return byHost;
        if (smtp)
            foreach (var reason in First)
                if (reason == preset || True(reason, named, status, text, command)) return reason;
        if (preset is not null) return preset;

        var found = named;
        if (found.Length == 0 || Retry.Contains(found) || !smtp)
        {
            var matched = Fallback.FirstOrDefault(r => Matches(r, text));
            if (matched is not null) return matched;
            if (status is { Length: >= 3 } && status[1..3] == ".6") return "contenterror";
            if (status is { Length: >= 3 } && status[1..3] == ".7") return "securityerror";
            if (diagnosticType?.Trim().StartsWith("x-unix", StringComparison.OrdinalIgnoreCase) == true) return "mailererror";
            if (found.Length == 0 && delayed) return "expired";
            if (found.Length == 0 && command == "HELO") return "blocked";
        }
        if (found.Length > 0 && found != "undefined") return found;
        if (delayed) return "expired";
        if (Matches("vacation", text)) return "vacation";
        return text.Length > 0 ? "onhold" : "undefined";
    }

    /// <summary>Each reason's <c>true</c> test: does this failure have that reason.</summary>
    private static bool True(string reason, string named, string? status, string text, string command)
    {
        switch (reason)
        {
            case "userunknown":
                if (named == "suspend") return false;
                if (named == "userunknown") return !UserUnknownPrematches.Any(r => Matches(r, text));
                // As Sisimai: without a user-unknown status, the words count only for a rejection of RCPT TO
                // (after the data, "user unknown" is a filter's answer: filtered, soft).
                return command == "RCPT" && Matches(reason, text);
            case "hostunknown":
                return named == "hostunknown" ? !Matches("networkerror", text) : Matches(reason, text);
            case "filtered":
                if (named == "suspend") return false;
                if (named == "filtered") return Matches("userunknown", text) || Matches(reason, text);
                if (command is "CONN" or "HELO" or "MAIL" or "RCPT") return false;
                return Matches(reason, text) || Matches("userunknown", text);
            case "rejected":
                if (named == "rejected") return true;
                if (command == "MAIL") return Matches(reason, text);
                if (command == "DATA") return named != "userunknown" && Matches(reason, text);
                if (named is "" or "onhold" or "undefined" or "securityerror" or "systemerror") return Matches(reason, text);
                return false;
            case "spamdetected":
                if (named == reason) return true;
                if (command is "CONN" or "HELO" or "MAIL" or "RCPT") return false;
                return Matches(reason, text);
            case "norelaying":
                return command is not ("CONN" or "HELO") && Matches(reason, text);
            case "mesgtoobig":
                if (named == reason) return true;
                if (named == "exceedlimit" || status == "5.2.3") return false;
                return Matches(reason, text);
            case "mailboxfull" or "exceedlimit" or "authfailure" or "requireptr" or "blocked" or "toomanyconn":
                return named == reason || Matches(reason, text);
            default: // suspend, hasmoved, notcompliantrfc, badreputation, speeding
                return Matches(reason, text);
        }
    }

    /// <summary>Sisimai::SMTP::Failure.is_hardbounce.</summary>
    public static bool IsHard(string reason, string? status, string? text)
    {
        if (reason is "hasmoved" or "userunknown" or "hostunknown") return true;
        if (reason != "notaccept") return false;
        if (status is { Length: > 0 }) return status[0] == '5' || status[0] != '4' && !Temporary(text);
        return !Temporary(text);
    }

    private static bool Temporary(string? text) =>
        text is not null && (text.Contains(" temporar", StringComparison.OrdinalIgnoreCase) || text.Contains(" persistent", StringComparison.OrdinalIgnoreCase));
}
