namespace NurtureEngine.Mail;

/// <summary>An email captured instead of sent, when no SMTP relay is configured.</summary>
public sealed class DevInboxMessage
{
    public long Id { get; set; }
    public required string ToAddress { get; set; }
    public required string Subject { get; set; }
    public required byte[] Raw { get; set; }
    public DateTimeOffset CapturedAt { get; set; }
}
