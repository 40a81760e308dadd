namespace NurtureEngine.Inbound;

public enum InboundKind
{
    /// <summary>The address does not exist or can never receive mail.</summary>
    HardBounce,
    /// <summary>Any other failure: temporary, mailbox full, delayed, policy, spam or reputation blocks.</summary>
    SoftBounce,
    /// <summary>An abuse report (ARF, RFC 5965).</summary>
    Complaint,
    /// <summary>A person answered.</summary>
    Reply,
    /// <summary>An automatic answer (RFC 3834, out of office, vacation, read receipt): counts as nothing.</summary>
    AutoReply,
    /// <summary>Mail to the List-Unsubscribe <c>mailto:</c> address.</summary>
    Unsubscribe,
    /// <summary>A success DSN (delivered, relayed, expanded).</summary>
    Delivered,
}

/// <summary>What an inbound email is, and what it names to tie it to a sent message and a lead.</summary>
public sealed record InboundClassification(InboundKind Kind, string? Status = null, string? Reason = null, string? Category = null)
{
    /// <summary>Failed or original recipients (bounces, complaints), best first.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];
    /// <summary>Message-IDs of the original message that this one answers or reports on.</summary>
    public IReadOnlyList<string> ReferencedMessageIds { get; init; } = [];
    /// <summary>Our signed tokens found in the message (VERP, Reply-To, List-Unsubscribe), best first.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];
    /// <summary>The token of the <c>unsubscribe+</c> address the message was sent to.</summary>
    public string? UnsubscribeToken { get; init; }

    public bool IsBounce => Kind is InboundKind.HardBounce or InboundKind.SoftBounce;
    public string? BounceType => Kind switch { InboundKind.HardBounce => "hard", InboundKind.SoftBounce => "soft", _ => null };
}
