namespace NurtureEngine.Sequences;

public sealed class Enrollment
{
    public long Id { get; set; }
    public Guid LeadId { get; set; }
    public long SequenceId { get; set; }
    public long SequenceVersionId { get; set; }
    public EnrollmentStatus Status { get; set; } = EnrollmentStatus.Active;
    /// <summary>The step to run next; null when the enrollment has ended.</summary>
    public string? CurrentStepId { get; set; }
    /// <summary>When the current step is due. Indexed: the scheduler reads only due rows.</summary>
    public DateTimeOffset? NextStepAt { get; set; }
    /// <summary>Set while a wait step is in progress.</summary>
    public DateTimeOffset? WaitUntil { get; set; }
    public int StepsRun { get; set; }
    /// <summary>
    /// How many times a goto or branch has sent the enrollment back to an earlier step (or the same one).
    /// Within one pass steps only move forward, so each step runs once per pass; the outbox is unique per
    /// (enrollment, step, pass): a loop's email goes out once each time round, and a replay never twice.
    /// </summary>
    public int Pass { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndReason { get; set; }
}

public enum EnrollmentStatus { Active, Completed, Exited, Failed }
