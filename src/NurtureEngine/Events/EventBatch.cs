using System.Text.Json.Nodes;

namespace NurtureEngine.Events;

public sealed class EventBatch
{
    public List<JsonNode?>? Events { get; set; }
}

public sealed record EventInput(string? Email, Guid? LeadId, string Type, DateTimeOffset? OccurredAt, string? IdempotencyKey, JsonObject? Properties);

public sealed record RejectedEvent(int Index, string Error);

public sealed record EventBatchResult(int Accepted, int Duplicates, IReadOnlyList<RejectedEvent> Rejected);
