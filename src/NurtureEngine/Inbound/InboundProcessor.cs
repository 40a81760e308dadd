using NurtureEngine.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;
using NurtureEngine.Tracking;

namespace NurtureEngine.Inbound;

public sealed record InboundResult(bool Processed, InboundKind Kind, Guid? LeadId, Guid? MessageId);

/// <summary>
/// Processes one inbound email exactly once: classifies it, ties it to the sent message it answers
/// (our signed VERP / Reply-To / unsubscribe token, else the original Message-ID it quotes) or else
/// to the lead whose address failed, and applies the outcome. The message's key is inserted in the
/// same transaction as the effects (unique), so reading it again after a crash changes nothing.
/// </summary>
public sealed partial class InboundProcessor(
    NurtureDbContext db, UnitOfWork work, DeliveryFeedback feedback, TrackingService tracking, InstallationSecrets secrets,
    TimeProvider clock, ILogger<InboundProcessor> logger)
{
    [GeneratedRegex(@"^(?:On\b.{0,300}\bwrote:\s*$|Am\b.{0,300}\bschrieb.{0,80}:\s*$|Le\b.{0,300}\ba écrit\s*:\s*$|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Ursprüngliche Nachricht|_{10,}\s*$|From:\s.+$|>)",
        RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex QuoteStarts();

    public Task<InboundResult> ProcessAsync(MimeMessage message, CancellationToken ct)
    {
        // Mail is kept, not refused: text PostgreSQL cannot store (NUL, a lone surrogate) becomes U+FFFD.
        if (message.Subject is { } subject) message.Subject = InputText.Scrub(subject);
        var key = InputText.Scrub(Key(message));
        var c = InboundClassifier.Classify(message);
        if (c.Reason is { } why) c = c with { Reason = InputText.Scrub(why) };
        return work.RunAsync(async t =>
        {
            var (sent, lead, address) = await TieAsync(message, c, t);
            // A bounce of an internal email (an owner notification) says nothing about the lead.
            if (sent is { Kind: MessageKind.Internal } && c.Kind is not InboundKind.Reply and not InboundKind.AutoReply) lead = null;
            var from = message.From.Mailboxes.FirstOrDefault()?.Address;
            var inserted = await db.Database.SqlQuery<long>($"""
                INSERT INTO nurture.inbound_message (key, outcome, status, reason, from_address, subject, lead_id, message_id, received_at)
                VALUES ({key}, {Outcome(c.Kind)}, {c.Status}, {Cut(c.Reason, 1000)}, {Cut(from, 320)}, {Cut(message.Subject, 500)}, {lead?.Id}, {sent?.Id}, {clock.GetUtcNow()})
                ON CONFLICT (key) DO NOTHING RETURNING id AS "Value"
                """).ToListAsync(t);
            if (inserted.Count == 0)
            {
                LogDuplicate(logger, message.MessageId);
                return new InboundResult(false, c.Kind, lead?.Id, sent?.Id);
            }
            await ApplyAsync(message, c, sent, lead, address, t);
            LogProcessed(logger, message.MessageId, c.Kind, lead?.Id);
            return new InboundResult(true, c.Kind, lead?.Id, sent?.Id);
        }, ct);
    }

    private async Task ApplyAsync(MimeMessage message, InboundClassification c, Message? sent, Lead? lead, string? address, CancellationToken ct)
    {
        switch (c.Kind)
        {
            case InboundKind.Unsubscribe:
                await tracking.UnsubscribeAsync(c.UnsubscribeToken!, "email to the List-Unsubscribe address", ct);
                break;
            case InboundKind.HardBounce or InboundKind.SoftBounce:
                await feedback.BounceAsync(lead, address, sent, c.Kind == InboundKind.HardBounce, c.Status, c.Reason ?? "delivery failed", c.Category, "mailbox", ct);
                break;
            case InboundKind.Complaint when c.Category == "auth-failure":
                // RFC 6591: the receiver says our email failed SPF, DKIM or DMARC; the person complained of nothing.
                if (lead is not null) feedback.AuthFailure(lead, sent, c.Reason);
                break;
            case InboundKind.Complaint:
                await feedback.ComplaintAsync(lead, address, sent, c.Reason ?? "feedback report", "mailbox", ct);
                break;
            case InboundKind.Delivered when lead is not null:
                await feedback.DeliveredAsync(lead, sent, c.Status, "mailbox");
                break;
            case InboundKind.AutoReply when lead is not null:
                feedback.AutoReply(lead, sent, message.Subject, message.From.Mailboxes.FirstOrDefault()?.Address, c.Reason, InputText.Scrub(BodyText(message)));
                break;
            case InboundKind.Reply when lead is not null:
                await feedback.ReplyAsync(lead, sent is { Kind: MessageKind.Marketing } ? sent : null, message.Subject,
                    message.From.Mailboxes.FirstOrDefault()?.Address, InputText.Scrub(ReplyText(message)), ct);
                break;
        }
    }

    /// <summary>The sent message and lead this email is about, and the address it names.</summary>
    private async Task<(Message? Sent, Lead? Lead, string? Address)> TieAsync(MimeMessage message, InboundClassification c, CancellationToken ct)
    {
        Message? sent = null;
        foreach (var token in c.Tokens)
        {
            if (TrackingToken.Verify(token, secrets.TrackingKey) is not { } parsed) continue;
            sent = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == parsed.MessageId, ct);
            if (sent is not null) break;
        }
        if (sent is null)
            foreach (var id in c.ReferencedMessageIds)
            {
                var at = id.IndexOf('@');
                if (at <= 0 || !Guid.TryParseExact(id[..at], "N", out var guid)) continue;
                sent = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == guid && m.MessageIdHeader == id, ct);
                if (sent is not null) break;
            }
        if (sent is not null)
            return (sent, await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == sent.LeadId, ct), sent.ToAddress);

        var candidates = c.Kind is InboundKind.Reply or InboundKind.AutoReply
            ? message.From.Mailboxes.Select(m => m.Address).Concat(message.ReplyTo.Mailboxes.Select(m => m.Address))
            : c.Recipients;
        foreach (var candidate in candidates)
        {
            var normalized = Lead.Normalize(candidate);
            if (await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.EmailNormalized == normalized, ct) is { } lead) return (null, lead, lead.Email);
        }
        return (null, null, c.IsBounce || c.Kind == InboundKind.Complaint ? c.Recipients.FirstOrDefault() : null);
    }

    /// <summary>The Message-ID (the same email read twice) plus a hash of what identifies the content
    /// (one Message-ID reused for different content is not the same email).</summary>
    public static string Key(MimeMessage message)
    {
        using var buffer = new MemoryStream();
        var header = Encoding.UTF8.GetBytes($"{message.Subject}\n{message.Date:O}\n{string.Join(',', message.To.Mailboxes.Select(m => m.Address))}\n");
        buffer.Write(header);
        message.Body?.WriteTo(buffer);
        var hash = Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
        var id = message.MessageId is { Length: > 0 } m ? (m.Length > 400 ? m[..400] : m) : "-";
        return $"{id}|{hash}";
    }

    private static string BodyText(MimeMessage message) =>
        (message.TextBody ?? (message.HtmlBody is { } html ? HtmlToText.Convert(html) : "")).Replace("\r", "");

    /// <summary>The reply's own words, without the quoted original.</summary>
    private static string ReplyText(MimeMessage message)
    {
        var text = BodyText(message);
        var cut = QuoteStarts().Match(text);
        var own = (cut.Success && cut.Index > 0 ? text[..cut.Index] : text).Trim();
        return own.Length > 0 ? own : text.Trim();
    }

    private static string Outcome(InboundKind kind) => kind switch
    {
        InboundKind.HardBounce => "hard_bounce",
        InboundKind.SoftBounce => "soft_bounce",
        InboundKind.AutoReply => "auto_reply",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string? Cut(string? s, int max) => s is null ? null : InputText.Scrub(s.Length > max ? s[..max] : s);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound {MessageId}: {Kind} for lead {LeadId}")]
    static partial void LogProcessed(ILogger logger, string? messageId, InboundKind kind, Guid? leadId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound {MessageId} was already processed; not again")]
    static partial void LogDuplicate(ILogger logger, string? messageId);
}
