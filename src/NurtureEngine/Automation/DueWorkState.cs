namespace NurtureEngine.Automation;

/// <summary>
/// One row that coalesces nudges across all processes: while a nudge job is pending (enqueued but
/// not started) no other is enqueued; a job clears the mark when it starts, before it looks for work.
/// </summary>
public sealed class DueWorkState
{
    public int Id { get; set; } = 1;
    public DateTimeOffset? PendingSince { get; set; }
    public DateTimeOffset? ScheduledFor { get; set; }
}
