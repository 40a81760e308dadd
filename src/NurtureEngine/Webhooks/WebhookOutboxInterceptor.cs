using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NurtureEngine.Data;
using NurtureEngine.Timeline;

namespace NurtureEngine.Webhooks;

/// <summary>
/// Turns every timeline row a subscription wants into a <see cref="WebhookDelivery"/> in the same
/// SaveChanges, hence the same transaction: whatever path wrote the activity (API, tracking,
/// workers, inbound mail), its webhooks commit or roll back with it. After the commit the
/// dispatcher is nudged; a lost nudge is caught by the once-a-minute sweep.
/// </summary>
public sealed partial class WebhookOutboxInterceptor(WebhookSubscriptionCache subscriptions, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<WebhookOutboxInterceptor> logger) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly ConditionalWeakTable<Activity, object> Handled = new();
    private static readonly ConditionalWeakTable<DbContext, object> NudgeAfterCommit = new();

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        if (eventData.Context is not NurtureDbContext db) return result;
        // Activities are always added explicitly (TimelineWriter), so no second DetectChanges is needed to find them.
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        List<Activity> added;
        try
        {
            added = db.ChangeTracker.Entries<Activity>().Where(e => e.State == EntityState.Added && !Handled.TryGetValue(e.Entity, out _))
                .Select(e => e.Entity).ToList();
        }
        finally { db.ChangeTracker.AutoDetectChangesEnabled = detect; }
        if (added.Count == 0) return result;
        var active = await subscriptions.GetAsync(db, ct);
        var now = clock.GetUtcNow();
        var any = false;
        foreach (var activity in added)
        {
            Handled.AddOrUpdate(activity, true);
            var type = activity.Kind == ActivityKind.Event ? activity.EventType : activity.Kind;
            foreach (var subscription in active.Where(s => s.Wants(activity.Kind, activity.EventType)))
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    SubscriptionId = subscription.Id, Activity = activity, LeadId = activity.LeadId, EventType = type,
                    CreatedAt = now, NextAttemptAt = now,
                });
                any = true;
            }
        }
        if (any) NudgeAfterCommit.AddOrUpdate(db, true);
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        SavingChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null) await NudgeIfMarkedAsync(db);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result) =>
        SavedChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) await NudgeIfMarkedAsync(db);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        TransactionCommittedAsync(transaction, eventData).GetAwaiter().GetResult();

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is { } db) NudgeAfterCommit.Remove(db);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } db) NudgeAfterCommit.Remove(db);
    }

    private async Task NudgeIfMarkedAsync(DbContext db)
    {
        if (!NudgeAfterCommit.Remove(db)) return;
        try
        {
            using var scope = scopes.CreateScope();
            await scope.ServiceProvider.GetRequiredService<WebhookSignal>().NudgeAsync(clock.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception e)
        {
            // The deliveries are committed; the sweep sends them within a minute.
            LogNudgeFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not nudge the webhook dispatcher; the sweep will send the deliveries")]
    static partial void LogNudgeFailed(ILogger logger, Exception e);
}
