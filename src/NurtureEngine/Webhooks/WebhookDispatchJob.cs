using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Webhooks;

/// <summary>
/// The Hangfire job that drains due webhook deliveries (claimed with SKIP LOCKED, so any number of
/// workers share them), then asks to be woken for the earliest near-future retry. Idempotent.
/// </summary>
public sealed partial class WebhookDispatchJob(IServiceScopeFactory scopes, WebhookSender sender, TimeProvider clock, ILogger<WebhookDispatchJob> logger)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);
    private const int BatchSize = 50;
    private const int Parallelism = 8;

    [AutomaticRetry(Attempts = 0)]
    [Queue("default")]
    public async Task RunAsync(CancellationToken ct)
    {
        // Clear the marks this run answers, before looking for work: a nudge after this point enqueues a new run.
        var now = clock.GetUtcNow();
        using (var scope = scopes.CreateScope())
            await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().Database.ExecuteSqlAsync($"""
                UPDATE nurture.webhook_dispatch_state
                SET pending_since = NULL, scheduled_for = CASE WHEN scheduled_for <= {now} THEN NULL ELSE scheduled_for END
                WHERE id = 1
                """, ct);
        await DrainAsync(ct);
    }

    /// <summary>Once a minute: whatever a lost nudge left, and retries due beyond the nudge horizon.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    public Task SweepAsync(CancellationToken ct) => DrainAsync(ct);

    private async Task DrainAsync(CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + Budget;
        while (!ct.IsCancellationRequested && clock.GetUtcNow() < deadline)
        {
            var batch = await sender.ClaimAsync(BatchSize, ct);
            if (batch.Count == 0) break;
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (id, c) =>
                {
                    try { await sender.SendAsync(id, c); }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Its lease expires and it is tried again; the others in the batch go on.
                        LogSendFailed(logger, id, e);
                    }
                });
        }
        using var next = scopes.CreateScope();
        var db = next.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var horizon = clock.GetUtcNow() + WebhookSignal.Horizon;
        var at = await db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= horizon)
            .MinAsync(d => (DateTimeOffset?)d.NextAttemptAt, ct);
        if (at is { } due) await next.ServiceProvider.GetRequiredService<WebhookSignal>().NudgeAsync(due, ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} could not be processed")]
    static partial void LogSendFailed(ILogger logger, Guid deliveryId, Exception e);
}
