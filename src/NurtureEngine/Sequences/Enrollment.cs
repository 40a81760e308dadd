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
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndReason { get; set; }
}

public enum EnrollmentStatus { Active, Completed, Exited, Failed }
