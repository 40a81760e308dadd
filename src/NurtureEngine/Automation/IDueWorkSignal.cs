namespace NurtureEngine.Automation;

/// <summary>
/// Tells the workers that due work exists at a time. A nudge, never the record: the work itself
/// is rows in enrollment/message, and a recurring sweep finds anything whose nudge was lost.
/// </summary>
public interface IDueWorkSignal
{
    Task NudgeAsync(DateTimeOffset at, CancellationToken ct);
}
