using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Webhooks;

/// <summary>
/// Active subscriptions, re-read at most every few seconds: matching runs on every save that adds
/// timeline rows and must not cost a query each time. A change made in this process applies at
/// once; one made in another process within <see cref="MaxAge"/>.
/// </summary>
public sealed class WebhookSubscriptionCache(TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(DateTimeOffset At, IReadOnlyList<WebhookSubscription> Subscriptions);

    public async Task<IReadOnlyList<WebhookSubscription>> GetAsync(NurtureDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_snapshot is { } s && now - s.At < MaxAge) return s.Subscriptions;
        var active = await db.WebhookSubscriptions.AsNoTracking().Where(x => x.Active).ToListAsync(ct);
        _snapshot = new Snapshot(now, active);
        return active;
    }

    public void Invalidate() => _snapshot = null;
}
