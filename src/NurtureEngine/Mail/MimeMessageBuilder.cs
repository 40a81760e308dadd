using MimeKit;
using NurtureEngine.Common;
using NurtureEngine.Settings;
using NurtureEngine.Tracking;

namespace NurtureEngine.Mail;

/// <summary>
/// Builds the RFC 5322 message from a stored outbox row: multipart/alternative (text + HTML), a
/// stable Message-ID, and for marketing email the RFC 2369 List-Unsubscribe and RFC 8058
/// List-Unsubscribe-Post headers. Names and the subject are one line (<see cref="HeaderText"/>), and
/// MimeKit encodes every header besides, so no CR/LF in a name or subject can inject a header. Marketing email carries a VERP Return-Path (<c>bounces+token@</c>, used as
/// the SMTP envelope sender) and a Reply-To (<c>reply+token@</c>) that tie bounces and replies to the
/// message; with <c>Nurture:Dkim</c> set, the message is DKIM-signed last.
/// </summary>
public sealed class MimeMessageBuilder(PublicUrls urls, InstallationSettings settings, DkimMessageSigner dkim)
{
    public MimeMessage Build(Message m)
    {
        var message = new MimeMessage();
        // The sender's name may come from configuration, which nothing validates: one line, like the subject.
        var fromName = HeaderText.OneLine(m.FromName ?? "");
        message.From.Add(new MailboxAddress(fromName, m.FromAddress));
        message.To.Add(MailboxAddress.Parse(m.ToAddress));
        message.Subject = m.Subject;
        message.MessageId = m.MessageIdHeader;
        message.Date = m.CreatedAt;
        if (m.Kind == MessageKind.Marketing)
        {
            var sender = settings.Nurture.Sender;
            var domain = sender.ReturnDomain;
            message.Headers.Add(HeaderId.ReturnPath, $"<{urls.ReturnPath(m.Id, domain)}>");
            message.ReplyTo.Add(new MailboxAddress(fromName, string.IsNullOrWhiteSpace(sender.ReplyTo) ? urls.ReplyAddress(m.Id, domain) : sender.ReplyTo));
            message.Headers.Add("List-Unsubscribe", $"<{urls.Unsubscribe(m.Id)}>, <{urls.UnsubscribeMailto(m.Id, domain)}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            message.Headers.Add("Precedence", "bulk");
        }
        message.Headers.Add("X-Nurture-Message", m.Id.ToString("N"));
        var body = new BodyBuilder { TextBody = m.Text, HtmlBody = m.Html };
        message.Body = body.ToMessageBody();
        dkim.Sign(message);
        return message;
    }
}
