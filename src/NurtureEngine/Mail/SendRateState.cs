namespace NurtureEngine.Mail;

/// <summary>
/// The token bucket of the global send rate, one row for the whole installation: every worker
/// process takes its tokens from here under a row lock, so the rate holds across processes.
/// </summary>
public sealed class SendRateState
{
    public int Id { get; set; } = 1;
    /// <summary>Tokens left at <see cref="RefreshedAt"/>; null refreshed time means a full bucket.</summary>
    public double Tokens { get; set; }
    public DateTimeOffset? RefreshedAt { get; set; }
    /// <summary>Since when due emails have been held back by the rate (null: not now).</summary>
    public DateTimeOffset? BehindSince { get; set; }
}
