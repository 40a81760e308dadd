using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Timeline;

/// <summary>Adds timeline rows to the current unit of work (saved with the change they describe).</summary>
public sealed class TimelineWriter(NurtureDbContext db, TimeProvider clock)
{
    public Activity Add(Guid leadId, string kind, string summary, object? data = null, Guid? messageId = null,
        long? sequenceId = null, string? stepId = null, string? eventType = null, DateTimeOffset? at = null)
    {
        var now = clock.GetUtcNow();
        var activity = new Activity
        {
            LeadId = leadId,
            Kind = kind,
            EventType = eventType ?? kind,
            Summary = summary.Length > 500 ? summary[..500] : summary,
            DataJson = data is null ? "{}" : Json.Serialize(data),
            At = at ?? now,
            RecordedAt = now,
            MessageId = messageId,
            SequenceId = sequenceId,
            StepId = stepId,
        };
        db.Activities.Add(activity);
        return activity;
    }
}
