using NurtureEngine.Settings;

namespace NurtureEngine.Mail;

/// <summary>An email the product writes to one of its own users (a task reminder, a hand-off notice), queued in the outbox.</summary>
public static class InternalMessage
{
    public static Message Create(Guid leadId, string to, SenderOptions sender, string subject, string html, string text, DateTimeOffset now)
    {
        var message = new Message
        {
            LeadId = leadId, Kind = MessageKind.Internal, ToAddress = to, FromAddress = sender.Email, FromName = sender.Name,
            Subject = subject.ReplaceLineEndings(" "), Html = html, Text = text, MessageIdHeader = "", CreatedAt = now, NotBefore = now,
        };
        message.MessageIdHeader = $"{message.Id:N}@{sender.Domain}";
        return message;
    }
}
