using System.Text.Json.Nodes;

namespace NurtureEngine.Events;

public sealed class EventBatch
{
    public List<JsonNode?>? Events { get; set; }

    /// <summary>The batch from a body whose items are checked one by one (a bad item is a rejected item, not a bad body).</summary>
    public static EventBatch From(JsonObject body) => body["events"] switch
    {
        null => new EventBatch(),
        JsonArray items => new EventBatch { Events = [.. items] },
        _ => throw new Common.ValidationException("events", "must be a list of events"),
    };
}

public sealed record EventInput(string? Email, Guid? LeadId, string Type, DateTimeOffset? OccurredAt, string? IdempotencyKey, JsonObject? Properties);

public sealed record RejectedEvent(int Index, string Error);

public sealed record EventBatchResult(int Accepted, int Duplicates, IReadOnlyList<RejectedEvent> Rejected);
