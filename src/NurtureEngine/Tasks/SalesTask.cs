namespace NurtureEngine.Tasks;

/// <summary>
/// A to-do for a lead's owner (API.md "Tasks"), made by a sequence's <c>task</c> step or by hand.
/// Named SalesTask so it never shadows System.Threading.Tasks.Task.
/// </summary>
public sealed class SalesTask
{
    public long Id { get; set; }
    public Guid LeadId { get; set; }
    /// <summary>Email of the user who should do it (the lead's owner when it was made).</summary>
    public required string Owner { get; set; }
    public required string Title { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public SalesTaskStatus Status { get; set; } = SalesTaskStatus.Open;
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
    public string? DoneBy { get; set; }
    /// <summary>The step that made it: with <see cref="StepId"/> unique, so a replayed step makes no second task.</summary>
    public long? EnrollmentId { get; set; }
    public long? SequenceId { get; set; }
    public string? StepId { get; set; }
    /// <summary>Set in the same transaction as the reminder email's outbox row: one reminder per task.</summary>
    public DateTimeOffset? RemindedAt { get; set; }
}

public enum SalesTaskStatus { Open, Done }
