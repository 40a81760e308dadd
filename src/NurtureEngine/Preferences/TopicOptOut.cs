namespace NurtureEngine.Preferences;

/// <summary>A lead that left one topic (a subscription group of sequences): that topic's email is suppressed for it.</summary>
public sealed class TopicOptOut
{
    public Guid LeadId { get; set; }
    public required string Topic { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
