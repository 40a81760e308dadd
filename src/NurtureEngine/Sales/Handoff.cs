namespace NurtureEngine.Sales;

/// <summary>
/// One assignment of a lead to a rep who must accept it: made when the lead enters a hand-off stage (or by an
/// <c>assign_owner</c> step with <c>acceptWithin</c>), decided by the rep, or breached when <see cref="AcceptBy"/>
/// passes, which hands the lead to the next rep in a new row of the same chain (same <see cref="HandedOffAt"/>).
/// At most one row per lead is pending (a unique partial index), so a breach is handled once.
/// </summary>
public sealed class Handoff
{
    public long Id { get; set; }
    public Guid LeadId { get; set; }
    /// <summary>The stage that handed the lead off; null for a sequence step.</summary>
    public long? StageId { get; set; }
    /// <summary>Where the hand-off came from, for people: <c>stage sql</c> or <c>sequence Name, step s2</c>.</summary>
    public required string Origin { get; set; }
    /// <summary>The <see cref="HandoffRule"/> as it was when the chain began (team, manager, window, recycle stage).</summary>
    public required string RuleJson { get; set; }
    public required string Owner { get; set; }
    public long TaskId { get; set; }
    /// <summary>When the chain began: the lead entered the stage. Time to accept counts from here.</summary>
    public DateTimeOffset HandedOffAt { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
    public DateTimeOffset AcceptBy { get; set; }
    /// <summary>1 for the first rep of the chain, 2 after the first breach, ...</summary>
    public int Attempt { get; set; } = 1;
    public HandoffStatus Status { get; set; } = HandoffStatus.Pending;
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
    /// <summary>Why the rep rejected the lead.</summary>
    public string? Reason { get; set; }
}

/// <summary>Superseded: the lead was handed off again (entered another hand-off stage) before this one was decided.</summary>
public enum HandoffStatus { Pending, Accepted, Rejected, Breached, Superseded }
