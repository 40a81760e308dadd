namespace NurtureEngine.Webhooks;

/// <summary>A receiver (a CRM, a data warehouse, ...) that wants to hear about some kinds of lead activity.</summary>
public sealed class WebhookSubscription
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Url { get; set; }
    /// <summary>Signs every delivery (HMAC-SHA256); shown only in the answer to the PUT that set it.</summary>
    public required string Secret { get; set; }
    /// <summary>Timeline kinds (<c>stage_changed</c>, <c>email_clicked</c>, ...), custom event types, or <c>*</c> for all.</summary>
    public List<string> Events { get; set; } = [];
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool Wants(string kind, string eventType) =>
        Active && (Events.Contains("*") || Events.Contains(kind) || Events.Contains(eventType));
}
