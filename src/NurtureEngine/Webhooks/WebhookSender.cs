using System.Text;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Telemetry;

namespace NurtureEngine.Webhooks;

/// <summary>
/// Sends claimed deliveries: builds the body once (the activity and the lead as the API shows
/// them), signs it, POSTs it, and records the attempt. 2xx is delivered; anything else is retried
/// with exponential backoff up to <see cref="WebhookOptions.MaxAttempts"/>; a refused address is
/// failed at once.
/// </summary>
public sealed partial class WebhookSender(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, NurtureMetrics metrics, TimeProvider clock,
    ILogger<WebhookSender> logger) : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly HttpClient _http = WebhookHttpClient.Create(options.Value);

    public async Task<List<Guid>> ClaimAsync(int limit, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var now = clock.GetUtcNow();
        var until = now + Lease;
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE nurture.webhook_delivery SET lease_until = {until}
            WHERE id IN (SELECT id FROM nurture.webhook_delivery
                         WHERE status = 'Pending' AND next_attempt_at <= {now} AND (lease_until IS NULL OR lease_until < {now})
                         ORDER BY next_attempt_at LIMIT {limit} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct);
    }

    public async Task SendAsync(Guid id, CancellationToken ct)
    {
        using var span = NurtureMetrics.Tracing.StartActivity("webhook.send");
        span?.SetTag("nurture.webhook_delivery_id", id);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (delivery is not { Status: WebhookDeliveryStatus.Pending }) return;
        var subscription = await db.WebhookSubscriptions.SingleAsync(s => s.Id == delivery.SubscriptionId, ct);
        delivery.Body ??= await BuildBodyAsync(scope.ServiceProvider, db, delivery, subscription, ct);

        var now = clock.GetUtcNow();
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        delivery.LeaseUntil = null;
        var (statusCode, error, permanent) = subscription.Active
            ? await PostAsync(subscription, delivery, now, ct)
            : (null, "the subscription is paused", true);
        delivery.LastStatusCode = statusCode;
        delivery.LastError = error is { Length: > 1000 } ? error[..1000] : error;
        string outcome;
        if (error is null)
        {
            delivery.Status = WebhookDeliveryStatus.Succeeded;
            delivery.DeliveredAt = clock.GetUtcNow();
            outcome = "delivered";
        }
        else if (permanent || delivery.Attempts >= options.Value.MaxAttempts)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            outcome = "failed";
            LogGaveUp(logger, delivery.Id, subscription.Key, delivery.Attempts, statusCode);
        }
        else
        {
            delivery.NextAttemptAt = now + options.Value.Backoff(delivery.Attempts);
            outcome = "retry";
            LogRetry(logger, delivery.Id, subscription.Key, delivery.Attempts, statusCode, delivery.NextAttemptAt);
        }
        await db.SaveChangesAsync(CancellationToken.None);
        metrics.Webhook(outcome);
        if (outcome == "retry")
            await scope.ServiceProvider.GetRequiredService<WebhookSignal>().NudgeAsync(delivery.NextAttemptAt, CancellationToken.None);
    }

    private async Task<(int? Status, string? Error, bool Permanent)> PostAsync(WebhookSubscription subscription, WebhookDelivery delivery, DateTimeOffset now, CancellationToken ct)
    {
        var uri = new Uri(subscription.Url);
        if (await NetworkGuard.RefusalAsync(uri.Host, options.Value.AllowPrivateNetworks, ct) is { } refusal)
            return (null, refusal, true);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent(delivery.Body!, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Create(subscription.Secret, now.ToUnixTimeSeconds(), delivery.Body!));
        request.Headers.Add("X-Nurture-Delivery", delivery.Id.ToString());
        request.Headers.Add("X-Nurture-Event", delivery.EventType);
        request.Headers.UserAgent.ParseAdd("NurtureEngine-Webhooks/1");
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (code, null, false) : (code, $"the receiver answered {code} {response.ReasonPhrase}", false);
        }
        catch (BlockedAddressException e)
        {
            return (null, e.Message, true);
        }
        catch (HttpRequestException e) when (e.InnerException is BlockedAddressException b)
        {
            return (null, b.Message, true);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (null, e is TaskCanceledException ? "timed out" : e.Message, false);
        }
    }

    private static async Task<string> BuildBodyAsync(IServiceProvider services, NurtureDbContext db, WebhookDelivery delivery,
        WebhookSubscription subscription, CancellationToken ct)
    {
        var activity = await db.Activities.AsNoTracking().SingleAsync(a => a.Id == delivery.ActivityId, ct);
        var lead = await services.GetRequiredService<LeadService>().GetAsync(delivery.LeadId, ct);
        return Json.Serialize(new
        {
            id = delivery.Id,
            type = delivery.EventType,
            occurredAt = activity.At,
            subscription = subscription.Key,
            lead,
            activity = new
            {
                kind = activity.Kind,
                summary = activity.Summary,
                data = System.Text.Json.Nodes.JsonNode.Parse(activity.DataJson),
                messageId = activity.MessageId,
                sequenceId = activity.SequenceId,
                stepId = activity.StepId,
            },
        });
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to {Subscription} failed (attempt {Attempt}, status {StatusCode}); retrying at {NextAttemptAt:u}")]
    static partial void LogRetry(ILogger logger, Guid deliveryId, string subscription, int attempt, int? statusCode, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to {Subscription} given up after {Attempts} attempt(s) (last status {StatusCode})")]
    static partial void LogGaveUp(ILogger logger, Guid deliveryId, string subscription, int attempts, int? statusCode);
}
