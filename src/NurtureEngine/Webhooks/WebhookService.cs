using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Webhooks;

/// <summary>Subscriptions, the delivery log and replays: what the API and the admin call.</summary>
public sealed class WebhookService(NurtureDbContext db, WebhookSubscriptionCache cache, WebhookSignal signal, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<WebhookSubscriptionDto>> ListAsync(CancellationToken ct) =>
        (await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Key).ToListAsync(ct)).Select(s => WebhookSubscriptionDto.From(s)).ToList();

    public async Task<WebhookSubscriptionDto> GetAsync(string key, CancellationToken ct) =>
        WebhookSubscriptionDto.From(await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Key == key, ct)
            ?? throw new NotFoundException($"Webhook subscription '{key}'"));

    /// <summary>Creates or replaces; the answer carries the secret (the only time it is shown).</summary>
    public async Task<(WebhookSubscriptionDto Subscription, bool Created)> PutAsync(string key, WebhookSubscriptionInput input, CancellationToken ct)
    {
        var errors = new Errors();
        if (!Slug.IsKey(key)) errors.Add("key", "must be a lowercase slug: [a-z0-9][a-z0-9-]{0,63}");
        Uri? url = null;
        if (input.Url is { Length: > InputLimits.MaxUrlChars })
            errors.Add("url", $"at most {InputLimits.MaxUrlChars} characters");
        else if (!Uri.TryCreate(input.Url, UriKind.Absolute, out url) || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.UserInfo))
            errors.Add("url", "must be an absolute http or https URL without credentials");
        else if (await NetworkGuard.RefusalAsync(url.Host, options.Value.AllowPrivateNetworks, ct) is { } refusal)
            errors.Add("url", refusal);
        if (input.Events is not { Count: > 0 })
            errors.Add("events", "name at least one kind (stage_changed, score_changed, email_sent, email_opened, email_clicked, email_replied, email_bounced, unsubscribed, complained, a custom event type) or \"*\"");
        else if (input.Events.FirstOrDefault(e => e != "*" && !Slug.IsName(e)) is { } bad)
            errors.Add("events", $"'{bad}' is not an event name");
        if (input.Secret is { } secret && secret.Length is < 16 or > 200) errors.Add("secret", "16 to 200 characters");
        errors.ThrowIfAny();

        var now = clock.GetUtcNow();
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Key == key, ct);
        var created = subscription is null;
        if (subscription is null)
        {
            subscription = new WebhookSubscription { Key = key, Url = "", Secret = input.Secret ?? NewSecret(), CreatedAt = now };
            db.WebhookSubscriptions.Add(subscription);
        }
        else if (input.Secret is not null) subscription.Secret = input.Secret;
        subscription.Url = url!.ToString();
        subscription.Events = input.Events!.Distinct().ToList();
        subscription.Active = input.Active ?? true;
        subscription.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return (WebhookSubscriptionDto.From(subscription, withSecret: true), created);
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        var deleted = await db.WebhookSubscriptions.Where(s => s.Key == key).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw new NotFoundException($"Webhook subscription '{key}'");
        cache.Invalidate();
    }

    /// <summary>Newest first; optionally one subscription's, or one status's.</summary>
    public async Task<WebhookDeliveryPage> DeliveriesAsync(string? subscriptionKey, string? status, int limit, CancellationToken ct)
    {
        var query = db.WebhookDeliveries.AsNoTracking().Join(db.WebhookSubscriptions, d => d.SubscriptionId, s => s.Id, (d, s) => new { d, s.Key });
        if (subscriptionKey is not null)
        {
            if (!await db.WebhookSubscriptions.AnyAsync(s => s.Key == subscriptionKey, ct)) throw new NotFoundException($"Webhook subscription '{subscriptionKey}'");
            query = query.Where(x => x.Key == subscriptionKey);
        }
        if (status is not null)
        {
            if (!Enum.TryParse<WebhookDeliveryStatus>(status, ignoreCase: true, out var s)) throw new ValidationException("status", "pending, succeeded or failed");
            query = query.Where(x => x.d.Status == s);
        }
        var rows = await query.OrderByDescending(x => x.d.CreatedAt).ThenByDescending(x => x.d.Id).Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct);
        return new WebhookDeliveryPage(rows.Select(x => ToDto(x.d, x.Key)).ToList());
    }

    /// <summary>Sends the delivery again (same id and body, freshly signed), whatever its state.</summary>
    public async Task<WebhookDeliveryDto> ReplayAsync(Guid id, CancellationToken ct)
    {
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == id, ct) ?? throw new NotFoundException("Webhook delivery");
        var now = clock.GetUtcNow();
        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.NextAttemptAt = now;
        delivery.LeaseUntil = null;
        delivery.DeliveredAt = null;
        await db.SaveChangesAsync(ct);
        await signal.NudgeAsync(now, ct);
        var key = await db.WebhookSubscriptions.Where(s => s.Id == delivery.SubscriptionId).Select(s => s.Key).SingleAsync(ct);
        return ToDto(delivery, key);
    }

    private static WebhookDeliveryDto ToDto(WebhookDelivery d, string subscription) => new(
        d.Id, subscription, d.EventType, d.LeadId, d.Status.ToString().ToLowerInvariant(), d.Attempts, d.LastStatusCode, d.LastError,
        d.CreatedAt, d.LastAttemptAt, d.DeliveredAt, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null);

    private static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
