using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Automation;

/// <summary>
/// Nudges through Hangfire: one pending "run now" job at a time for the whole installation (with a
/// PostgreSQL NOTIFY that wakes listening workers at once), and one delayed job for the earliest
/// near-future due time. Never one job per email.
/// </summary>
public sealed class HangfireDueWorkSignal(NurtureDbContext db, IBackgroundJobClient jobs, TimeProvider clock) : IDueWorkSignal
{
    /// <summary>A pending mark older than this is assumed lost (its job vanished) and is replaced.</summary>
    private static readonly TimeSpan StalePending = TimeSpan.FromSeconds(10);
    /// <summary>Work due later than this is left to the once-a-minute sweep.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromSeconds(70);

    public async Task NudgeAsync(DateTimeOffset at, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (at <= now + TimeSpan.FromMilliseconds(500))
        {
            var stale = now - StalePending;
            // The same statement wakes listening workers at once (DueWorkListener); the job is the fallback.
            var claimed = await db.Database.ExecuteSqlAsync($"""
                UPDATE nurture.due_work_state SET pending_since = {now} WHERE id = 1 AND (pending_since IS NULL OR pending_since < {stale})
                RETURNING pg_notify({DueWorkListener.ChannelName}, '')
                """, ct);
            if (claimed == 1) jobs.Enqueue<DueWorkJob>(j => j.RunAsync(CancellationToken.None));
        }
        else if (at <= now + Horizon)
        {
            var claimed = await db.Database.ExecuteSqlAsync(
                $"UPDATE nurture.due_work_state SET scheduled_for = {at} WHERE id = 1 AND (scheduled_for IS NULL OR scheduled_for > {at} OR scheduled_for < {now})", ct);
            if (claimed == 1) jobs.Schedule<DueWorkJob>(j => j.RunAsync(CancellationToken.None), at - now);
        }
    }
}
