using NurtureEngine.Timeline;

namespace NurtureEngine.Webhooks;

public enum WebhookDeliveryStatus { Pending, Succeeded, Failed }

/// <summary>
/// The webhook outbox: one row per (activity, subscription), written in the transaction that wrote
/// the activity, so a committed activity is always delivered (at least once) and a rolled-back one
/// never is. The body is built at the first attempt and kept, so retries and replays send the same
/// bytes with the same <see cref="Id"/> (receivers deduplicate on it).
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public long SubscriptionId { get; set; }
    public long ActivityId { get; set; }
    public Activity? Activity { get; set; }
    public Guid LeadId { get; set; }
    public required string EventType { get; set; }
    public string? Body { get; set; }
    public WebhookDeliveryStatus Status { get; set; } = WebhookDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

/// <summary>Coalesces nudges across processes, like <see cref="Automation.DueWorkState"/>.</summary>
public sealed class WebhookDispatchState
{
    public int Id { get; set; } = 1;
    public DateTimeOffset? PendingSince { get; set; }
    public DateTimeOffset? ScheduledFor { get; set; }
}
