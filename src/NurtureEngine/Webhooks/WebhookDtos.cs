using System.Text.Json.Serialization;

namespace NurtureEngine.Webhooks;

/// <summary>Body of <c>PUT /api/v1/webhooks/subscriptions/{key}</c>.</summary>
public sealed class WebhookSubscriptionInput
{
    public string? Url { get; set; }
    /// <summary>Optional: generated on create when omitted; kept on replace when omitted.</summary>
    public string? Secret { get; set; }
    public List<string>? Events { get; set; }
    public bool? Active { get; set; }
}

public sealed record WebhookSubscriptionDto(
    string Key, string Url, IReadOnlyList<string> Events, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null)
{
    public static WebhookSubscriptionDto From(WebhookSubscription s, bool withSecret = false) =>
        new(s.Key, s.Url, s.Events, s.Active, s.CreatedAt, s.UpdatedAt, withSecret ? s.Secret : null);
}

public sealed record WebhookDeliveryDto(
    Guid Id, string Subscription, string Type, Guid LeadId, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? DeliveredAt, DateTimeOffset? NextAttemptAt);

public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryDto> Items);
