using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Broadcasts;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Settings;

namespace NurtureEngine.Automation;

/// <summary>
/// The Hangfire job that drains due work: runs due sequence steps and broadcasts and sends the outbox, batch after
/// batch, until nothing is due; then schedules itself for the next near-future due time.
/// Idempotent and safe to run concurrently (claims use SKIP LOCKED).
/// </summary>
public sealed class DueWorkJob(IServiceScopeFactory scopes, OutboxSender sender, IOptions<NurtureOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [AutomaticRetry(Attempts = 0)]
    [Queue("default")]
    public async Task RunAsync(CancellationToken ct)
    {
        using (var scope = scopes.CreateScope())
            await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().Database
                .ExecuteSqlAsync($"UPDATE nurture.due_work_state SET pending_since = NULL WHERE id = 1", ct);
        await DrainAsync(ct);
    }

    /// <summary>The once-a-minute safety net: settles abandoned sends and drains whatever a lost nudge left.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    public Task SweepAsync(CancellationToken ct) => DrainAsync(ct);

    public async Task DrainAsync(CancellationToken ct)
    {
        await sender.ResolveAbandonedAsync(ct);
        var deadline = clock.GetUtcNow() + Budget;
        // A pipeline: steps run (and fill the outbox) while the sender's lanes keep the wire busy.
        using var progress = new WorkProgress();
        var handoff = sender.OpenHandoff(2 * options.Value.BatchSize);
        var steps = Task.Run(async () =>
        {
            try
            {
                while (!ct.IsCancellationRequested && clock.GetUtcNow() < deadline)
                {
                    using var scope = scopes.CreateScope();
                    var ran = await scope.ServiceProvider.GetRequiredService<SequenceRunner>().RunDueBatchAsync(ct, handoff);
                    using (var broadcasts = scopes.CreateScope())
                        ran += await broadcasts.ServiceProvider.GetRequiredService<BroadcastRunner>().RunDueAsync(ct, handoff);
                    if (ran == 0) break;
                    progress.Progressed();
                }
            }
            finally
            {
                progress.Complete();
            }
        }, CancellationToken.None);
        try
        {
            await sender.SendDueAsync(options.Value.BatchSize, progress, deadline, ct, handoff: handoff);
        }
        finally
        {
            await steps;
            if (handoff is not null) await sender.HandBackAsync(handoff);
        }
        using (var scope = scopes.CreateScope())
            await scope.ServiceProvider.GetRequiredService<BroadcastRunner>().FinishAsync(ct); // the last outcomes may have just been recorded
        await ScheduleNextAsync(ct);
    }

    private async Task ScheduleNextAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var horizon = clock.GetUtcNow() + HangfireDueWorkSignal.Horizon;
        var nextStep = await db.Database.SqlQuery<DateTimeOffset?>($"""
            SELECT min(e.next_step_at) AS "Value" FROM nurture.enrollment e JOIN nurture.sequence s ON s.id = e.sequence_id AND s.status = 'Active'
            WHERE e.status = 'Active' AND e.next_step_at <= {horizon}
            """).SingleAsync(ct);
        var nextSend = await db.Database.SqlQuery<DateTimeOffset?>($"""
            SELECT min(not_before) AS "Value" FROM nurture.message WHERE status = 'Scheduled' AND not_before <= {horizon}
            """).SingleAsync(ct);
        // Emails held back by the global send rate are due again when the next token is.
        if (nextSend is not null && await scope.ServiceProvider.GetRequiredService<GlobalSendRate>().NextTokenAtAsync(ct) is { } token && token > nextSend)
            nextSend = token;
        var nextBroadcast = await scope.ServiceProvider.GetRequiredService<BroadcastRunner>().NextDueAsync(ct);
        var next = new[] { nextStep, nextSend, nextBroadcast }.Where(t => t is not null).Min();
        if (next is { } at) await scope.ServiceProvider.GetRequiredService<IDueWorkSignal>().NudgeAsync(at, ct);
    }
}
