namespace NurtureEngine.Mail;

/// <summary>
/// The outbox: one row per (enrollment, step), unique, so a step can never produce two emails.
/// Rendered content is stored, so the email can be shown exactly as sent and click targets are
/// read from here, never from a request.
/// </summary>
public sealed class Message
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid LeadId { get; set; }
    public long? EnrollmentId { get; set; }
    public long? SequenceId { get; set; }
    public string? StepId { get; set; }
    /// <summary>The enrollment's pass when the step ran (see <see cref="Sequences.Enrollment.Pass"/>).</summary>
    public int Pass { get; set; }
    /// <summary>The broadcast this email belongs to (unique per (broadcast, lead)), or null for a sequence's or an internal email.</summary>
    public long? BroadcastId { get; set; }
    public long? TemplateVersionId { get; set; }
    public MessageKind Kind { get; set; } = MessageKind.Marketing;
    public MessageStatus Status { get; set; } = MessageStatus.Scheduled;
    public required string ToAddress { get; set; }
    public required string FromAddress { get; set; }
    public string? FromName { get; set; }
    public required string Subject { get; set; }
    public required string Html { get; set; }
    public required string Text { get; set; }
    public List<string> Links { get; set; } = [];
    /// <summary>The RFC 5322 Message-ID, stable across retries.</summary>
    public required string MessageIdHeader { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public string? SmtpReply { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public enum MessageKind { Marketing, Internal }

/// <summary>scheduled → sending (lease) → sent | failed | suppressed | unknown; scheduled → cancelled (its broadcast was).</summary>
public enum MessageStatus { Scheduled, Sending, Sent, Failed, Suppressed, Unknown, Cancelled }
