using MimeKit;
using NurtureEngine.Settings;
using NurtureEngine.Tracking;

namespace NurtureEngine.Mail;

/// <summary>
/// Builds the RFC 5322 message from a stored outbox row: multipart/alternative (text + HTML), a
/// stable Message-ID, and for marketing email the RFC 2369 List-Unsubscribe and RFC 8058
/// List-Unsubscribe-Post headers. MimeKit encodes every header, so no CR/LF in a name or subject
/// can inject a header.
/// </summary>
public sealed class MimeMessageBuilder(PublicUrls urls, IOptions<NurtureOptions> options)
{
    public MimeMessage Build(Message m)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(m.FromName ?? "", m.FromAddress));
        message.To.Add(MailboxAddress.Parse(m.ToAddress));
        message.Subject = m.Subject;
        message.MessageId = m.MessageIdHeader;
        message.Date = m.CreatedAt;
        if (m.Kind == MessageKind.Marketing)
        {
            var domain = options.Value.Sender.Domain;
            message.Headers.Add("List-Unsubscribe", $"<{urls.Unsubscribe(m.Id)}>, <{urls.UnsubscribeMailto(m.Id, domain)}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            message.Headers.Add("Precedence", "bulk");
        }
        message.Headers.Add("X-Nurture-Message", m.Id.ToString("N"));
        var body = new BodyBuilder { TextBody = m.Text, HtmlBody = m.Html };
        message.Body = body.ToMessageBody();
        return message;
    }
}
