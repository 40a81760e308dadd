using MimeKit;

namespace NurtureEngine.Inbound.Sisimai;

/// <summary>
/// The mail systems whose bounces Sisimai reads with a module of their own (lib/Sisimai/Lhost/*.pm,
/// https://github.com/sisimai/p5-sisimai, BSD 2-Clause) where the module's verdict differs from the generic
/// reading: each applies only to a bounce that system wrote (its headers say so), and then its phrases decide
/// the reason ("Mailbox does not exist" from Amazon SES receiving is a filter's answer, not an unknown user).
/// The ungated phrases of Domino and Notes are in <see cref="SisimaiPatterns.LhostMessages"/>.
/// </summary>
public static class SisimaiLhost
{
    public sealed record Module(string Name, Func<MimeMessage, bool> Wrote, string[] Markers, (string Reason, string[] Phrases)[] Messages)
    {
        /// <summary>Amazon SES quotes the receiving server's reply ("5.1.0 - Unknown address error 550-'5.7.1 … Access denied'"):
        /// when its own status is a generic one (x.0.0, x.1.0), the code in the quoted reply is the real one.</summary>
        public string? Status(string? status, string? diagnostic)
        {
            if (Name is not ("AmazonSES" or "ReceivingSES") || status is null || diagnostic is null) return status;
            if (!status.Contains(".0.0", StringComparison.Ordinal) && !status.Contains(".1.0", StringComparison.Ordinal)) return status;
            var from = diagnostic.IndexOf("-'", StringComparison.Ordinal) is var a && a >= 0 ? a : diagnostic.IndexOf("-\"", StringComparison.Ordinal);
            var to = diagnostic.LastIndexOf("' ", StringComparison.Ordinal) is var b && b >= 0 ? b : diagnostic.LastIndexOf("\" ", StringComparison.Ordinal);
            var quoted = from >= 0 && to > from + 2 ? diagnostic[(from + 2)..to] : diagnostic;
            return BounceClassifier.FirstEnhanced(quoted) ?? status;
        }

        /// <summary>The reason the module's phrases give this bounce text, or null (the generic reading decides).</summary>
        /// <param name="fields">The recipient's DSN fields, if the bounce has a DSN part.</param>
        public string? Reason(MimeMessage message, string text, IReadOnlyDictionary<string, string>? fields = null)
        {
            if (Name == "EZweb" && message.Headers["X-SPASIGN"]?.Trim() == "NG") return "filtered";
            if (Name == "PowerMTA")
                return fields?.GetValueOrDefault("X-PowerMTA-BounceCategory")?.Trim().ToLowerInvariant() is { } category
                    ? PowerMtaCategories.GetValueOrDefault(category) : null;
            var reason = Messages.FirstOrDefault(m => m.Phrases.Any(p => text.Contains(p, StringComparison.Ordinal))).Reason;
            // fml's subject names the error when its text does not.
            if (reason is null && Name == "FML" && message.Subject is { } subject)
                reason = FmlTitles.FirstOrDefault(t => t.Phrases.Any(p => subject.Contains(p, StringComparison.Ordinal))).Reason;
            return reason;
        }

        /// <summary>The text carries the module's marker of a bounce report (for bounces without a DSN part).</summary>
        public bool IsReport(string text) => Markers.Any(m => text.Contains(m, StringComparison.Ordinal));
    }

    private static readonly (string Reason, string[] Phrases)[] FmlTitles =
    [
        ("rejected", [" are not member", "NOT MEMBER article from ", "reject mail ", "Spam mail from a spammer is rejected"]),
        ("systemerror", ["fml system error message", "Loop Alert: ", "Loop Back Warning: ", "WARNING: UNIX FROM Loop"]),
        ("securityerror", ["Security Alert"]),
    ];

    private static readonly Dictionary<string, string> PowerMtaCategories = new()
    {
        ["bad-domain"] = "hostunknown", ["bad-mailbox"] = "userunknown", ["inactive-mailbox"] = "disabled", ["message-expired"] = "expired",
        ["no-answer-from-host"] = "networkerror", ["policy-related"] = "policyviolation", ["quota-issues"] = "mailboxfull",
        ["routing-errors"] = "systemerror", ["spam-related"] = "spamdetected",
    };

    private static readonly Module[] Modules =
    [
        // Sisimai::Lhost::ReceivingSES: only mail Amazon SES itself sent (X-SES-Outgoing) with its own opening line.
        new("ReceivingSES",
            m => m.Headers.Contains("X-SES-Outgoing") && Text(m).Contains("\nThis message could not be delivered.", StringComparison.Ordinal),
            ["This message could not be delivered."],
            [
                ("filtered", ["Mailbox does not exist"]),
                ("mesgtoobig", ["Message too large"]),
                ("mailboxfull", ["Mailbox full"]),
                ("contenterror", ["Message content rejected"]),
            ]),
        // Sisimai::Lhost::AmazonSES: mail Amazon SES relayed (X-AWS-Outgoing or X-SES-Outgoing), not Amazon WorkMail's.
        new("AmazonSES",
            m => (m.Headers.Contains("X-AWS-Outgoing") || m.Headers.Contains("X-SES-Outgoing"))
                && m.Headers["X-Mailer"]?.Contains("Amazon WorkMail", StringComparison.Ordinal) != true,
            ["The following message to <", "An error occurred while trying to deliver the mail "],
            [("expired", ["Delivery expired"])]),
        // Sisimai::Lhost::McAfee: McAfee Email and Web Security's "Delivery Status".
        new("McAfee",
            m => m.Headers["X-NAI-Header"]?.Contains("Modified by McAfee", StringComparison.Ordinal) == true && m.Subject == "Delivery Status",
            ["--- The following addresses had delivery problems ---"],
            [("userunknown", [" User not exist", " unknown.", "550 Unknown user ", "No such user"])]),
        // Sisimai::Lhost::PowerMTA: its X-PowerMTA-BounceCategory field names the reason.
        new("PowerMTA", m => m.Subject?.Contains("Delivery report", StringComparison.Ordinal) == true, ["Hello, this is the mail server on "], []),
        // Sisimai::Lhost::Exchange2003: its codes in parentheses, "(000C05A6) Unknown Recipient".
        new("Exchange2003", Exchange2003,
            ["did not reach the following recipient(s):"],
            [
                ("onhold", ["(000B099C)", "(000B09AA)", "(000B09B6)"]),
                ("userunknown", ["(000C05A6)"]),
                ("systemerror", ["(00010256)", "(000D06B5)"]),
                ("networkerror", ["(00120270)"]),
                ("contenterror", ["(00050311)", "(000502CC)"]),
                ("securityerror", ["(000B0981)"]),
                ("filtered", ["(000C0595)"]),
            ]),
        // Sisimai::Lhost::Outlook (Outlook.com, Hotmail): two of its signs.
        new("Outlook", Outlook,
            ["This is an automatically generated Delivery Status Notification"],
            [
                ("hostunknown", ["The mail could not be delivered to the recipient because the domain is not reachable"]),
                ("userunknown", ["Requested action not taken: mailbox unavailable"]),
            ]),
        // Sisimai::Lhost::Courier: its own errors for the receiving domain (courier/module.esmtp/esmtpclient.c).
        new("Courier",
            m => (m.Headers["From"]?.Contains("Courier mail server at ", StringComparison.Ordinal) ?? false)
                || m.Subject is "NOTICE: mail delivery status." or "WARNING: delayed mail."
                || (m.Headers["Message-ID"]?.Trim().StartsWith("<courier.", StringComparison.Ordinal) ?? false),
            ["UNDELIVERABLE MAIL", "DELAYS IN DELIVERING YOUR MESSAGE"],
            [
                ("hostunknown", ["No such domain."]),
                ("systemerror", ["This domain's DNS violates RFC 1035."]),
                ("networkerror", ["DNS lookup failed."]),
            ]),
        // Sisimai::Lhost::Verizon: its SMS/MMS gateways (vtext.com, vzwpix.com) relayed by vtext.com.
        new("Verizon", Verizon,
            ["Error: ", "Message could not be delivered to mobile"],
            [("userunknown", ["550 - Requested action not taken: no such user here", "No valid recipients for this MM"])]),
        // Sisimai::Lhost::DragonFly (DragonFly Mail Agent, dma).
        new("DragonFly",
            m => m.Subject?.Contains("Mail delivery failed", StringComparison.Ordinal) == true
                && Received(m).Any(r => r.Contains(" (DragonFly Mail Agent", StringComparison.Ordinal)),
            ["This is the DragonFly Mail Agent "],
            [("expired", ["Could not deliver for the last "]), ("hostunknown", ["DNS lookup failure: host "])]),
        // Sisimai::Lhost::FML (the fml mailing list manager): its refusals and loop alerts.
        new("FML",
            m => m.Headers.Contains("X-MLServer") && (m.Headers["From"]?.IndexOf("-admin@", StringComparison.Ordinal) ?? -1) > 0
                && (m.Headers["Message-ID"]?.IndexOf(".FML", StringComparison.Ordinal) ?? -1) > 1,
            ["Original mail as follows:", "You are not a member of this mailing list", "Duplicated Message-ID", "NOT MEMBER article from ",
             "reject mail from ", "reject spammers:", " has detected a loop condition so that", "Loop Back Warning:", "Security alert:"],
            [
                ("rejected", [" header may cause mail loop", "NOT MEMBER article from ", "reject mail from ", "reject spammers:", "You are not a member of this mailing list"]),
                ("systemerror", [" has detected a loop condition so that", "Duplicated Message-ID", "Loop Back Warning:"]),
                ("securityerror", ["Security alert:"]),
            ]),
        // Sisimai::Lhost::IMailServer (Ipswitch IMail).
        new("IMailServer",
            m => m.Subject?.StartsWith("Undeliverable Mail ", StringComparison.Ordinal) == true
                || m.Headers["X-Mailer"]?.Trim().StartsWith("<SMTP32 v", StringComparison.Ordinal) == true,
            ["Body of message generated response:"],
            [
                ("hostunknown", ["Unknown host"]),
                ("userunknown", ["Unknown user", "Invalid final delivery userid"]),
                ("mailboxfull", ["User mailbox exceeds allowed size"]),
                ("virusdetected", ["Requested action not taken: virus detected"]),
                ("undefined", ["undeliverable to"]),
                ("expired", ["Delivery failed "]),
            ]),
        // Sisimai::Lhost::EZweb (au by KDDI): two of its header signs.
        new("EZweb", EZweb,
            ["The user(s) ", "Your message ", "Each of the following"],
            [
                ("mailboxfull", ["The user(s) account is temporarily over quota"]),
                ("suspend", ["The user(s) account is disabled.", "The user(s) account is temporarily limited."]),
                ("expired", ["Your message was not delivered within "]),
                ("onhold", ["Each of the following recipients was rejected by a remote mail server"]),
            ]),
        // Sisimai::Lhost::KDDI (au one net): its sender or relays.
        new("KDDI", Kddi,
            ["Your mail sent on:", "Your mail attempted to be delivered on:"],
            [
                ("mailboxfull", ["As their mailbox is full"]),
                ("norelaying", ["Due to the following SMTP relay error"]),
                ("hostunknown", ["As the remote domain doesnt exist"]),
            ]),
    ];

    /// <summary>The module for the system that wrote this bounce, or null.</summary>
    public static Module? Of(MimeMessage message) => Modules.FirstOrDefault(m => m.Wrote(message));

    private static IEnumerable<string> Received(MimeMessage m) =>
        m.Headers.Where(h => h.Field.Equals("Received", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    private static bool Exchange2003(MimeMessage m) =>
        m.Headers.Contains("X-MS-Embedded-Report")
        || m.Headers["X-Mailer"]?.Trim() is { } mailer && (mailer.StartsWith("Internet Mail Service (", StringComparison.Ordinal)
            || mailer.StartsWith("Microsoft Exchange Server Internet Mail Connector", StringComparison.Ordinal))
        || m.Headers["X-MimeOLE"]?.Trim().StartsWith("Produced By Microsoft Exchange", StringComparison.Ordinal) == true
        || Received(m).Any(r => r.Contains(" with Internet Mail Service (", StringComparison.Ordinal));

    private static bool Verizon(MimeMessage m)
    {
        if (!Received(m).Any(r => r.Contains(".vtext.com (", StringComparison.Ordinal))) return false;
        var from = m.Headers["From"]?.Trim() ?? "";
        var at = from.IndexOf("sysadmin@", StringComparison.Ordinal);
        return from == "post_master@vtext.com" || at >= 0 && from.IndexOf(".vzwpix.com", at, StringComparison.Ordinal) > at;
    }

    private static bool Outlook(MimeMessage m)
    {
        var signs = new[]
        {
            m.Subject?.Contains("Delivery Status Notification", StringComparison.Ordinal) == true,
            m.Headers.Contains("X-Message-Delivery"), m.Headers.Contains("X-Message-Info"),
            Received(m).Any(r => r.Contains(".hotmail.com", StringComparison.Ordinal)),
        };
        return signs.Count(s => s) >= 2;
    }

    private static bool EZweb(MimeMessage m)
    {
        var from = m.Headers["From"] ?? "";
        var id = m.Headers["Message-ID"]?.Trim() ?? "";
        var signs = new[]
        {
            from.Contains("Postmaster@ezweb.ne.jp", StringComparison.Ordinal), from.Contains("Postmaster@au.com", StringComparison.Ordinal),
            m.Subject == "Mail System Error - Returned Mail",
            Received(m).Any(r => r.Contains("ezweb.ne.jp (EZweb Mail) with", StringComparison.Ordinal)),
            Received(m).Any(r => r.Contains(".au.com (", StringComparison.Ordinal)),
            id.EndsWith(".ezweb.ne.jp>", StringComparison.Ordinal), id.EndsWith(".au.com>", StringComparison.Ordinal),
        };
        return signs.Count(s => s) >= 2;
    }

    private static bool Kddi(MimeMessage m)
    {
        var from = m.Headers["From"] ?? "";
        var at = from.IndexOf("no-reply@", StringComparison.Ordinal);
        return at >= 0 && from.IndexOf(".dion.ne.jp", at, StringComparison.Ordinal) > at
            || m.Headers["Reply-To"]?.Trim() == "no-reply@app.auone-net.jp"
            || Received(m).Any(r => r.Contains("ezweb.ne.jp (", StringComparison.Ordinal) || r.Contains(".au.com (", StringComparison.Ordinal));
    }

    private static string Text(MimeMessage m) => "\n" + string.Join("\n", m.BodyParts.OfType<TextPart>().Take(4).Select(t => t.Text));
}
