using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Webhooks;

/// <summary>
/// Nudges the dispatcher through Hangfire, coalesced across processes by one state row (the same
/// pattern as <see cref="Automation.HangfireDueWorkSignal"/>): at most one pending "run now" job and
/// one delayed job for the earliest retry in the near future; later retries are left to the sweep.
/// </summary>
public sealed class WebhookSignal(NurtureDbContext db, IBackgroundJobClient jobs, TimeProvider clock)
{
    private static readonly TimeSpan StalePending = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Horizon = TimeSpan.FromSeconds(70);

    public async Task NudgeAsync(DateTimeOffset at, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (at <= now + TimeSpan.FromMilliseconds(500))
        {
            var stale = now - StalePending;
            var claimed = await db.Database.ExecuteSqlAsync(
                $"UPDATE nurture.webhook_dispatch_state SET pending_since = {now} WHERE id = 1 AND (pending_since IS NULL OR pending_since < {stale})", ct);
            if (claimed == 1) jobs.Enqueue<WebhookDispatchJob>(j => j.RunAsync(CancellationToken.None));
        }
        else if (at <= now + Horizon)
        {
            var claimed = await db.Database.ExecuteSqlAsync(
                $"UPDATE nurture.webhook_dispatch_state SET scheduled_for = {at} WHERE id = 1 AND (scheduled_for IS NULL OR scheduled_for > {at} OR scheduled_for < {now})", ct);
            if (claimed == 1) jobs.Schedule<WebhookDispatchJob>(j => j.RunAsync(CancellationToken.None), at - now);
        }
    }
}
