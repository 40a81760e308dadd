using MimeKit;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Settings;

namespace NurtureEngine.Templates;

/// <summary>
/// "Send test email" from the template editor: the draft rendered exactly as the preview shows it,
/// sent to a staff address through the configured transport. Nothing reaches the outbox or a lead's
/// timeline, and the subject says it is a test.
/// </summary>
public sealed class TemplateTestMailer(TemplateService templates, IMailTransport transport, InstallationSettings settings, TimeProvider clock)
{
    public async Task<DeliveryResult> SendAsync(TemplateInput draft, PreviewInput lead, string to, CancellationToken ct)
    {
        if (!EmailAddress.IsValid(to)) throw new ValidationException("to", "a valid email address is required");
        var rendered = await templates.PreviewDraftAsync(draft, lead, ct);
        var sender = settings.Nurture.Sender;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(sender.Name, sender.Email));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "[Test] " + rendered.Subject;
        message.MessageId = $"{Guid.NewGuid():N}@{sender.Domain}";
        message.Date = clock.GetUtcNow();
        message.Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html }.ToMessageBody();
        return await transport.SendAsync(message, ct);
    }
}
