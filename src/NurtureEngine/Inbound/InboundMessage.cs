namespace NurtureEngine.Inbound;

/// <summary>
/// One inbound email, processed. Its key (the Message-ID, else a hash of the bytes) is unique and is
/// inserted in the same transaction as the message's effects, so a message read twice (a crash
/// between processing and flagging it in the mailbox) is processed once.
/// </summary>
public sealed class InboundMessage
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Outcome { get; set; }
    public string? Status { get; set; }
    public string? Reason { get; set; }
    public string? FromAddress { get; set; }
    public string? Subject { get; set; }
    public Guid? LeadId { get; set; }
    public Guid? MessageId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
