namespace NurtureEngine.Broadcasts;

/// <summary>
/// A newsletter: one email to an audience frozen when sending starts, at most once per lead ever
/// (the unique (broadcast, lead) keys of <see cref="BroadcastRecipient"/> and of the outbox say so).
/// </summary>
public sealed class Broadcast
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    /// <summary>The definition as last saved (<see cref="BroadcastDefinition"/>), editable while draft or scheduled.</summary>
    public required string DefinitionJson { get; set; }
    public BroadcastStatus Status { get; set; } = BroadcastStatus.Draft;
    /// <summary>When sending starts (the audience is frozen then); null while a draft.</summary>
    public DateTimeOffset? StartAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>The audience frozen at the start.</summary>
    public int Audience { get; set; }
    /// <summary>The template versions of the variants, fixed at the start (index = variant).</summary>
    public List<long> TemplateVersionIds { get; set; } = [];
    /// <summary>When the A/B test is decided (start + <c>decideAfter</c>); null without one.</summary>
    public DateTimeOffset? DecideAt { get; set; }
    /// <summary>The A/B winner's variant index, once decided.</summary>
    public int? Winner { get; set; }
    /// <summary>Why the winner won: <see cref="AbDecision"/> as JSON.</summary>
    public string? DecisionJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum BroadcastStatus { Draft, Scheduled, Sending, Paused, Sent, Cancelled }

/// <summary>
/// One lead of a frozen audience. <see cref="Variant"/> is null for the A/B remainder until the winner is
/// known; <see cref="MessageId"/> is set when its email is queued (in the same transaction as the outbox row).
/// </summary>
public sealed class BroadcastRecipient
{
    public long BroadcastId { get; set; }
    public Guid LeadId { get; set; }
    public int? Variant { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public Guid? MessageId { get; set; }
}
