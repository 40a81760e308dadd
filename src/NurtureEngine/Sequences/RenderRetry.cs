using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sequences;

/// <summary>
/// An email whose rendering hit the time limit is retried later instead of dropped: under heavy load
/// a harmless template can time out (seen in the 10,000-lead worker test). The earlier attempts are
/// counted from the timeline; after <see cref="MaxRetries"/> the step fails for good.
/// </summary>
public static class RenderRetry
{
    public const int MaxRetries = 5;
    public const string Reason = "render timeout: rendering took too long (a busy worker or a heavy template); retrying";

    /// <summary>When to try again (1, 2, 4, 8, 16 minutes), or null when the retries are used up.</summary>
    public static async Task<DateTimeOffset?> NextAttemptAsync(NurtureDbContext db, Enrollment enrollment, string stepId, DateTimeOffset now, CancellationToken ct)
    {
        var earlier = await db.Activities.CountAsync(a => a.LeadId == enrollment.LeadId && a.SequenceId == enrollment.SequenceId && a.StepId == stepId
            && a.Kind == ActivityKind.EmailDelayed && a.At >= enrollment.EnrolledAt && a.Summary.EndsWith(Reason), ct);
        return earlier >= MaxRetries ? null : Pg.Microseconds(now + TimeSpan.FromMinutes(1 << earlier));
    }
}
