using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using NurtureEngine.Inbound.Sisimai;
using NurtureEngine.Rendering;

namespace NurtureEngine.Inbound;

/// <summary>
/// Says what an inbound email is (API.md "Inbound mail"), in this order: a message to the
/// List-Unsubscribe address; an ARF complaint (RFC 5965); a DSN (RFC 3464 multipart/report, or
/// message/global-delivery-status); a read receipt; a non-standard bounce (Exchange, qmail, Exim,
/// Postfix, Yahoo, Gmail texts); an automatic reply (RFC 3834 Auto-Submitted, X-Autoreply,
/// Precedence, out-of-office subjects); else a reply from a person. Bounces come before
/// auto-replies because many bounces (Exim's, for one) carry <c>Auto-Submitted: auto-replied</c>.
/// Pure: no database, no configuration.
/// </summary>
public static partial class InboundClassifier
{
    private const int MaxText = 256 * 1024;

    [GeneratedRegex(@"(?:\b(bounces|reply|unsubscribe)\+|/(?:u|t/o|t/c)/)([A-Za-z0-9_-]{40,44})(?![A-Za-z0-9_-])", RegexOptions.IgnoreCase)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\bunsubscribe\+([A-Za-z0-9_-]{40,44})@", RegexOptions.IgnoreCase)]
    private static partial Regex UnsubscribeAddress();

    [GeneratedRegex(@"^(?:Message-ID|X-Nurture-Message-Id)\s*:\s*<?([^\s<>]+@[^\s<>]+)>?", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex QuotedMessageId();

    [GeneratedRegex(@"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"^(?:mailer-?daemon|postmaster|mail-?daemon|mdaemon|mail\.delivery\.subsystem|bounces?|noreply-dmarc-support)$", RegexOptions.IgnoreCase)]
    private static partial Regex DaemonLocalPart();

    [GeneratedRegex(@"undeliver|undelivered|delivery status notification|delivery (?:has )?fail|failure notice|failed delivery|mail delivery (?:failed|failure|system|subsystem)|" +
        @"returned mail|returned to sender|delivery failure|could not be delivered|couldn't be delivered|non[- ]?delivery|delivery problem|message not delivered|" +
        @"not delivered|delivery notification|delayed mail|delivery delayed|delivery (?:is )?delayed|warning: message|mail system error|rejected:|" +
        @"message (?:blocked|rejected|bounced)|unzustellbar|non remis|no se pudo entregar|nicht zugestellt",
        RegexOptions.IgnoreCase)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"This is the qmail-send program|created automatically by mail delivery software|I'm sorry to have to inform you|" +
        @"could not be delivered to one or more recipients|couldn't be delivered to one or more recipients|Delivery has failed to these recipients|" +
        @"Your message (?:to .{1,200}? )?(?:couldn't|could not|wasn't|was not) (?:be )?delivered|unable to deliver your message|wasn't able to deliver|" +
        @"The following addresses had permanent fatal errors|The following address\(es\) failed|Delivery to the following recipients? failed|" +
        @"Delivery to the following recipient has been delayed|Delivery is delayed to these recipients|message could not be delivered|" +
        @"The original message was received at|This is the mail system at host|permanent error|temporary error|" +
        @"An error has occurred while attempting to deliver a message|\*\* Address not found \*\*|\*\* Message not delivered \*\*|\*\* Message blocked \*\*",
        RegexOptions.IgnoreCase)]
    private static partial Regex BounceBody();

    /// <summary>Where a bounce's own words end and the copy of the original message begins.</summary>
    [GeneratedRegex(@"^\s*(?:-+ ?Below this line is a copy of the message|-+ ?This is a copy of the message|-+ ?Original message ?-*|" +
        @"-+ ?The header of the original message|-+ ?Original message follows|Original message headers:|-+ ?Forwarded message|" +
        @"-+ ?Returned message|-+ ?Undelivered message|-+ ?Start of returned message|Return-Path: ?<|Received: from )",
        RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex OriginalStarts();

    [GeneratedRegex(@"out of (?:the )?office|\bOOO\b|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|autorespon|" +
        @"abwesenheit|automatische antwort|außer haus|ausser haus|réponse automatique|reponse automatique|absence|" +
        @"respuesta automática|respuesta automatica|fuera de la oficina|risposta automatica|fuori sede|automatisch antwoord|afwezig|" +
        @"autosvar|fraværende|frånvaro|poza biurem|vacation|on holiday|on leave|away from (?:the )?office|i am away|i'm away|annual leave",
        RegexOptions.IgnoreCase)]
    private static partial Regex AutoReplySubject();

    public static InboundClassification Classify(MimeMessage message)
    {
        var parts = new Parts();
        parts.Walk(message.Body, nested: false);
        var human = HumanText(parts);
        var haystack = Haystack(message, parts);
        var tokens = TokenPattern().Matches(haystack).Select(m => m.Groups[2].Value).Distinct().ToList();
        var references = References(message, parts, haystack);
        var unsubscribe = RecipientHeaders(message).Select(a => UnsubscribeAddress().Match(a)).FirstOrDefault(m => m.Success)?.Groups[1].Value;

        InboundClassification With(InboundClassification c, IEnumerable<string>? recipients = null) => c with
        {
            Tokens = tokens, ReferencedMessageIds = references, UnsubscribeToken = unsubscribe,
            Recipients = (recipients ?? []).Select(CleanAddress).Where(a => a is not null).Select(a => a!).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
        };

        if (unsubscribe is not null) return With(new InboundClassification(InboundKind.Unsubscribe, Reason: "email to the List-Unsubscribe address"));
        if (Complaint(message, parts) is { } complaint) return With(complaint.Classification, complaint.Recipients);
        if (SesNotification.Classify(message) is { } ses) return With(ses.Classification, ses.Recipients);
        if (DeliveryStatus(message, parts, human) is { } dsn) return With(dsn.Classification, dsn.Recipients);
        if (ReportType(message) == "disposition-notification" || parts.OfType("message/disposition-notification").Any())
            return With(new InboundClassification(InboundKind.AutoReply, Reason: "read receipt (RFC 8098)"));
        var module = SisimaiLhost.Of(message);
        if (LooksLikeBounce(message, human, tokens) || module?.IsReport(human) == true)
        {
            var preset = SisimaiMda.Inquire(message.Headers["From"], human)?.Reason ?? module?.Reason(message, human);
            var recipients = TextBounceRecipients(message, human, parts).ToList();
            // Several recipients, each with its own error: each is judged by its own block; a hard one decides and comes first.
            var blocks = BounceBlocks.Split(human, recipients);
            if (blocks.Count == 0)
                return With(Bounce(BounceClassifier.Classify(null, human, report: true, preset: preset, recipient: recipients.FirstOrDefault())), recipients);
            var judged = blocks.Select(b => (b.Recipient,
                Verdict: BounceClassifier.Classify(null, b.Text, report: true, preset: preset, transcript: human, recipient: b.Recipient))).ToList();
            var chosen = judged.FirstOrDefault(j => j.Verdict.Hard) is { Recipient: not null } hard ? hard : judged[0];
            return With(Bounce(chosen.Verdict), [chosen.Recipient, .. recipients]);
        }
        if (AutoReplyReason(message) is { } auto) return With(new InboundClassification(InboundKind.AutoReply, Reason: auto));
        return With(new InboundClassification(InboundKind.Reply));
    }

    /// <summary>Why this is an automatic reply (RFC 3834 and the headers and subjects real autoresponders use), or null.</summary>
    public static string? AutoReplyReason(MimeMessage message)
    {
        var submitted = message.Headers["Auto-Submitted"]?.Split(';')[0].Trim();
        if (!string.IsNullOrEmpty(submitted) && !submitted.Equals("no", StringComparison.OrdinalIgnoreCase)) return $"Auto-Submitted: {submitted}";
        foreach (var name in new[] { "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autoreply-From", "X-Mail-Autoreply", "X-Auto-Reply" })
            if (message.Headers[name] is { } value && !value.Trim().Equals("no", StringComparison.OrdinalIgnoreCase)) return $"{name} header";
        if (message.Headers["X-Autogenerated"] is { } generated && generated.Contains("reply", StringComparison.OrdinalIgnoreCase)) return "X-Autogenerated: reply";
        foreach (var name in new[] { "Precedence", "X-Precedence" })
            if (message.Headers[name]?.Trim().ToLowerInvariant() is "auto_reply" or "auto-reply" or "bulk" or "junk" or "list")
                return $"{name}: {message.Headers[name]!.Trim()}";
        if (message.Headers["X-MS-Exchange-Inbox-Rules-Loop"] is not null || message.Headers["X-MS-Exchange-Generated-Message-Source"] is { } source && source.Contains("Mailbox Rules", StringComparison.OrdinalIgnoreCase))
            return "Exchange inbox rule";
        if (message.Subject is { } subject && AutoReplySubject().Match(subject) is { Success: true } m) return $"subject says \"{m.Value}\"";
        return null;
    }

    private static InboundClassification Bounce(BounceClassifier.Verdict v) =>
        new(v.Hard ? InboundKind.HardBounce : InboundKind.SoftBounce, v.Status, v.Reason, v.Category);

    private sealed record Found(InboundClassification Classification, IReadOnlyList<string> Recipients);

    private static Found? Complaint(MimeMessage message, Parts parts)
    {
        var report = parts.OfType("message/feedback-report").FirstOrDefault();
        if (report is null && ReportType(message) != "feedback-report") return HotmailComplaint(message, parts) ?? AppleUnsubscribe(message);
        var fields = report is null ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) : ParseFieldGroups(parts.TextOf(report)).FirstOrDefault() ?? [];
        var type = fields.GetValueOrDefault("Feedback-Type")?.Trim().ToLowerInvariant() ?? "abuse";
        // Every other type (abuse, fraud, virus, auth-failure, opt-out) is a feedback report, as Sisimai reads it.
        if (type is "not-spam") return null;
        var recipients = new List<string>();
        foreach (var name in new[] { "Original-Rcpt-To", "Removal-Recipient" })
            if (fields.GetValueOrDefault(name) is { } v) recipients.Add(v);
        recipients.AddRange(parts.Originals.SelectMany(o => o.To.Mailboxes.Select(mb => mb.Address)));
        var agent = fields.GetValueOrDefault("User-Agent") ?? fields.GetValueOrDefault("Reporting-MTA") ?? message.From.Mailboxes.FirstOrDefault()?.Domain;
        return new Found(new InboundClassification(InboundKind.Complaint, Reason: $"feedback report ({type}){(agent is null ? "" : $" from {agent.Trim()}")}", Category: type), recipients);
    }

    /// <summary>Hotmail's (and Amazon SES's) complaints are not ARF: a multipart/mixed "complaint about message from …"
    /// carrying the original, its recipient in X-HmXmrOriginalRecipient (Sisimai::ARF.is_arf).</summary>
    private static Found? HotmailComplaint(MimeMessage message, Parts parts)
    {
        if (message.Body is not Multipart { ContentType.MediaSubtype: var sub } || !sub.Equals("mixed", StringComparison.OrdinalIgnoreCase)) return null;
        if (message.Subject?.Contains("complaint about message from ", StringComparison.Ordinal) != true) return null;
        var from = message.From.Mailboxes.FirstOrDefault()?.Address ?? "";
        if (!from.Equals("staff@hotmail.com", StringComparison.OrdinalIgnoreCase) && !from.Equals("complaints@email-abuse.amazonses.com", StringComparison.OrdinalIgnoreCase))
            return null;
        var recipients = parts.Originals.SelectMany(o => o.Headers.Where(h => h.Field.Equals("X-HmXmrOriginalRecipient", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value.Trim()))
            .Concat(parts.Originals.SelectMany(o => o.To.Mailboxes.Select(mb => mb.Address))).ToList();
        return new Found(new InboundClassification(InboundKind.Complaint, Reason: $"complaint from {from}", Category: "abuse"), recipients);
    }

    /// <summary>Apple Mail's unsubscribe request (X-Apple-Unsubscribe: true) that did not reach our unsubscribe address:
    /// the sender asks for no more mail, a feedback report as Sisimai reads it.</summary>
    private static Found? AppleUnsubscribe(MimeMessage message) =>
        message.Headers["X-Apple-Unsubscribe"]?.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) == true
            ? new Found(new InboundClassification(InboundKind.Complaint, Reason: "unsubscribe request (X-Apple-Unsubscribe)", Category: "opt-out"),
                message.From.Mailboxes.Select(mb => mb.Address).ToList())
            : null;

    private static Found? DeliveryStatus(MimeMessage message, Parts parts, string human)
    {
        var status = parts.OfType("message/delivery-status").Concat(parts.OfType("message/global-delivery-status")).FirstOrDefault();
        if (status is null) return null;
        var groups = ParseFieldGroups(parts.TextOf(status));
        var module = SisimaiLhost.Of(message);
        var mda = SisimaiMda.Inquire(message.Headers["From"], human);
        var perRecipient = groups.Where(g => g.ContainsKey("Final-Recipient") || g.ContainsKey("Original-Recipient") || g.ContainsKey("Action") || g.ContainsKey("Status")).ToList();
        if (perRecipient.Count == 0) return null;
        static string? Action(Dictionary<string, string> g) => g.GetValueOrDefault("Action")?.Trim().ToLowerInvariant();
        var failed = perRecipient.FirstOrDefault(g => Action(g) == "failed")
            ?? perRecipient.FirstOrDefault(g => Action(g) is "delayed" or "expired")
            ?? perRecipient.FirstOrDefault(g => Action(g) is null && g.GetValueOrDefault("Status")?.Trim() is { Length: > 0 } s && s[0] is '4' or '5');
        var recipients = perRecipient.OrderBy(g => g == failed ? 0 : 1)
            .SelectMany(g => new[] { g.GetValueOrDefault("Final-Recipient"), g.GetValueOrDefault("Original-Recipient") })
            .Where(a => a is not null).Select(a => a!).ToList();
        recipients.AddRange(message.Headers.Where(h => h.Field.Equals("X-Failed-Recipients", StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Value.Split(',')));
        if (failed is null)
            return new Found(new InboundClassification(InboundKind.Delivered, Status: perRecipient[0].GetValueOrDefault("Status")?.Trim(),
                Reason: $"delivery status: {Action(perRecipient[0]) ?? "delivered"}"), recipients);
        // Without a diagnostic, a recipient's own lines in the bounce text say why it failed.
        var blocks = BounceBlocks.Split(human, recipients.Select(CleanAddress).OfType<string>().ToList());
        BounceClassifier.Verdict Judge(Dictionary<string, string> g)
        {
            var diagnostic = g.GetValueOrDefault("Diagnostic-Code") is { } d ? StripType(d) : null;
            // As Sisimai: a recipient's own Diagnostic-Code is its reason (the text around may be about other recipients).
            // A diagnostic still in ISO-2022-JP escapes is unreadable: the decoded text says it.
            var own = !string.IsNullOrWhiteSpace(diagnostic) && !diagnostic.Contains('\u001b');
            var rcpt = g.GetValueOrDefault("Final-Recipient") is { } r ? CleanAddress(r) : null;
            var text = own ? WithCommand(diagnostic!, human) : blocks.FirstOrDefault(b => b.Recipient.Equals(rcpt, StringComparison.OrdinalIgnoreCase))?.Text ?? human;
            var status = module is null ? g.GetValueOrDefault("Status") : module.Status(g.GetValueOrDefault("Status"), diagnostic);
            var verdict = BounceClassifier.Classify(status, text, delayed: Action(g) is "delayed" or "expired", report: true,
                remoteHost: g.GetValueOrDefault("Remote-MTA") is { } mta ? StripType(mta) : null,
                recipient: rcpt,
                preset: mda?.Reason ?? module?.Reason(message, $"{diagnostic}\n{human}", g), diagnosticType: TypeOf(g.GetValueOrDefault("Diagnostic-Code")),
                transcript: own ? human : null);
            return diagnostic is null ? verdict : verdict with { Reason = Truncate(diagnostic, 300) };
        }
        // Several recipients failed: a hard one decides (as Sisimai reports it), and its address comes first.
        var judged = perRecipient.Where(g => g == failed || Action(g) == "failed").Select(g => (Group: g, Verdict: Judge(g))).ToList();
        var (worst, chosen) = judged.FirstOrDefault(j => j.Verdict.Hard) is { Group: not null } hard ? hard : judged[0];
        if (worst != failed)
            recipients = [.. recipients.Where(r => r == worst.GetValueOrDefault("Final-Recipient") || r == worst.GetValueOrDefault("Original-Recipient")),
                .. recipients.Where(r => r != worst.GetValueOrDefault("Final-Recipient") && r != worst.GetValueOrDefault("Original-Recipient"))];
        return new Found(Bounce(chosen), recipients);
    }

    /// <summary>
    /// Postfix writes the remote reply twice: in the DSN without, in the text with the command it answered ("…: Recipient
    /// address rejected. (in reply to RCPT TO command)"). As Sisimai::Lhost::Postfix, the longer text is the diagnostic.
    /// </summary>
    private static string WithCommand(string diagnostic, string human)
    {
        var (shortText, longText) = (FoldedText.Unfold(diagnostic), FoldedText.Unfold(human));
        var at = longText.IndexOf(shortText + " (in reply to ", StringComparison.OrdinalIgnoreCase);
        if (shortText.Length < 8 || at < 0) return diagnostic;
        var end = longText.IndexOf(" command)", at + shortText.Length, StringComparison.OrdinalIgnoreCase);
        return end < 0 || end - at - shortText.Length > 40 ? diagnostic : longText[at..(end + " command)".Length)];
    }

    private static bool LooksLikeBounce(MimeMessage message, string human, IReadOnlyList<string> tokens)
    {
        if (message.Headers.Contains("X-Failed-Recipients")) return true;
        var from = message.From.Mailboxes.FirstOrDefault();
        var local = from?.LocalPart ?? "";
        if (DaemonLocalPart().IsMatch(local) || from?.Name is { } name && (name.Contains("Mail Delivery", StringComparison.OrdinalIgnoreCase) || name.Contains("Mailer Daemon", StringComparison.OrdinalIgnoreCase)))
            return BounceSubject().IsMatch(message.Subject ?? "") || BounceBody().IsMatch(human) || BounceClassifier.FirstEnhanced(human) is not null;
        if (BounceSubject().IsMatch(message.Subject ?? "") && (BounceBody().IsMatch(human) || BounceClassifier.FirstEnhanced(human) is not null)) return true;
        if (BounceBody().IsMatch(human) && message.Headers["In-Reply-To"] is null) return true;
        // Sent to our VERP Return-Path, which only machines write to: a bounce if it says anything like one.
        return RecipientHeaders(message).Any(a => a.Contains("bounces+", StringComparison.OrdinalIgnoreCase))
            && AutoReplyReason(message) is null && BounceClassifier.FirstEnhanced(human) is not null;
    }

    private static IEnumerable<string> TextBounceRecipients(MimeMessage message, string human, Parts parts)
    {
        foreach (var h in message.Headers.Where(h => h.Field.Equals("X-Failed-Recipients", StringComparison.OrdinalIgnoreCase)))
            foreach (var a in h.Value.Split(',')) yield return a;
        var ours = message.From.Mailboxes.Select(m => m.Address).Concat(RecipientHeaders(message)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in AddressPattern().Matches(human))
        {
            var address = m.Value.TrimEnd('.');
            var local = address[..address.IndexOf('@')];
            if (ours.Contains(address) || DaemonLocalPart().IsMatch(local) || local.Contains('+') && TokenPattern().IsMatch(address)) continue;
            yield return address;
        }
        foreach (var original in parts.Originals)
            foreach (var mb in original.To.Mailboxes) yield return mb.Address;
    }

    private static string? CleanAddress(string raw)
    {
        var value = StripType(raw).Trim().Trim('<', '>', ' ', '"', '\'');
        return value.Contains('@') && value.Length <= 254 && !value.Any(char.IsWhiteSpace) ? value : null;
    }

    /// <summary>"rfc822; ada@example.com" → "ada@example.com"; "smtp; 550 ..." → "550 ...".</summary>
    private static string StripType(string value)
    {
        var semi = value.IndexOf(';');
        return semi > 0 && semi < 12 && !value[..semi].Contains(' ') ? value[(semi + 1)..].Trim() : value.Trim();
    }

    /// <summary>"x-unix; procmail: …" → "x-unix"; null when the value names no type.</summary>
    private static string? TypeOf(string? value)
    {
        var semi = value?.IndexOf(';') ?? -1;
        return semi > 0 && semi < 12 && !value![..semi].Contains(' ') ? value[..semi].Trim() : null;
    }

    private static IEnumerable<string> RecipientHeaders(MimeMessage message)
    {
        foreach (var mb in message.To.Mailboxes.Concat(message.Cc.Mailboxes)) yield return mb.Address;
        foreach (var h in message.Headers)
            if (h.Field is "Delivered-To" or "X-Original-To" or "Envelope-To" or "X-Envelope-To" or "X-Delivered-To" or "Original-Recipient")
                yield return h.Value.Trim().Trim('<', '>');
    }

    private static string? ReportType(MimeMessage message) =>
        message.Body is Multipart { ContentType.MediaSubtype: var sub } body && sub.Equals("report", StringComparison.OrdinalIgnoreCase)
            ? body.ContentType.Parameters["report-type"]?.Trim().ToLowerInvariant() : null;

    private static List<string> References(MimeMessage message, Parts parts, string haystack)
    {
        var ids = new List<string>();
        if (message.InReplyTo is { } inReplyTo) ids.Add(inReplyTo);
        ids.AddRange(message.References.Reverse());
        foreach (var original in parts.Originals)
            if (original.MessageId is { } id) ids.Add(id);
        ids.AddRange(QuotedMessageId().Matches(haystack).Select(m => m.Groups[1].Value));
        return ids.Select(i => i.Trim().Trim('<', '>')).Where(i => i.Length > 0).Distinct().ToList();
    }

    /// <summary>The bounce's own words: text outside attached messages, cut where a copy of the original starts.</summary>
    private static string HumanText(Parts parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts.Own)
        {
            if (part is not TextPart t) continue;
            if (t.IsPlain) text.AppendLine(Decoded(t));
            else if (t.IsHtml && !parts.Own.OfType<TextPart>().Any(p => p.IsPlain)) text.AppendLine(HtmlToText.Convert(t.Text));
            if (text.Length > MaxText) break;
        }
        var s = text.ToString().Replace("\r", "");
        var cut = OriginalStarts().Match(s);
        return cut.Success && cut.Index > 0 ? s[..cut.Index] : s;
    }

    static InboundClassifier() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>A part's text; ISO-2022-JP (the escape sequences of many Japanese bounces) decoded even when no charset says so.</summary>
    private static string Decoded(TextPart t)
    {
        var text = t.Text;
        if (!text.Contains("\u001b$B", StringComparison.Ordinal) || t.Content is null) return text;
        using var stream = new MemoryStream();
        t.Content.DecodeTo(stream);
        return Encoding.GetEncoding("iso-2022-jp").GetString(stream.ToArray());
    }

    /// <summary>Everything searchable for our tokens and quoted Message-IDs: headers, texts, attached originals.</summary>
    private static string Haystack(MimeMessage message, Parts parts)
    {
        var s = new StringBuilder();
        s.AppendLine(message.Headers.ToString());
        foreach (var original in parts.Originals) s.AppendLine(original.Headers.ToString());
        foreach (var part in parts.All)
        {
            if (s.Length > MaxText * 2) break;
            if (part.ContentType.IsMimeType("text", "*") || part.ContentType.MediaType.Equals("message", StringComparison.OrdinalIgnoreCase))
                s.AppendLine(parts.TextOf(part));
        }
        return s.ToString();
    }

    /// <summary>RFC 3464/5965 fields: groups separated by blank lines, folded lines unfolded.</summary>
    public static List<Dictionary<string, string>> ParseFieldGroups(string text)
    {
        var groups = new List<Dictionary<string, string>>();
        var current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (raw.Trim().Length == 0)
            {
                if (current.Count > 0) groups.Add(current);
                current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                last = null;
                continue;
            }
            if (char.IsWhiteSpace(raw[0]) && last is not null) { current[last] += " " + raw.Trim(); continue; }
            var colon = raw.IndexOf(':');
            if (colon <= 0) continue;
            last = raw[..colon].Trim();
            var value = raw[(colon + 1)..].Trim();
            current[last] = current.TryGetValue(last, out var existing) ? existing : value;
        }
        if (current.Count > 0) groups.Add(current);
        return groups;
    }

    private static string Truncate(string s, int max) => s.Length > max ? s[..max] : s;

    /// <summary>The message's leaf parts: its own, and those of attached originals (message/rfc822, text/rfc822-headers).</summary>
    private sealed class Parts
    {
        public List<MimePart> Own { get; } = [];
        public List<MimePart> All { get; } = [];
        public List<MimeMessage> Originals { get; } = [];

        public void Walk(MimeEntity? entity, bool nested)
        {
            switch (entity)
            {
                case Multipart { Count: 0, Preamble: { Length: > 0 } preamble }:
                    // A boundary no line of the body matches (a broken bounce): MimeKit keeps it all as the preamble; read it as text.
                    Walk(new TextPart("plain") { Text = preamble }, nested);
                    break;
                case Multipart multipart:
                    foreach (var child in multipart) Walk(child, nested);
                    break;
                case MessagePart { Message: { } inner }:
                    Originals.Add(inner);
                    Walk(inner.Body, nested: true);
                    break;
                case MimePart part:
                    All.Add(part);
                    if (!nested) Own.Add(part);
                    break;
            }
        }

        public IEnumerable<MimePart> OfType(string mimeType) =>
            Own.Where(p => p.ContentType.MimeType.Equals(mimeType, StringComparison.OrdinalIgnoreCase));

        public string TextOf(MimePart part)
        {
            if (part is TextPart text) return text.Text;
            if (part.Content is null) return "";
            using var stream = new MemoryStream();
            part.Content.DecodeTo(stream);
            var bytes = stream.ToArray();
            return Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, MaxText));
        }
    }
}
