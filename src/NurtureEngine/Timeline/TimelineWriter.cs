using Microsoft.EntityFrameworkCore;
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

    /// <summary>
    /// One row for every lead active in a sequence (only those waiting at <paramref name="atSteps"/> when
    /// given), written by a single statement in the current transaction: a sequence may hold a million
    /// leads. The summary gains the lead's step; <c>data</c> gains <c>step</c>. Rows written this way do
    /// not go to outbound webhooks (they are not tracked entities).
    /// </summary>
    public Task<int> AddForActiveEnrollmentsAsync(long sequenceId, string kind, string summary, object data,
        IReadOnlyCollection<string>? atSteps, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var json = Json.Serialize(data);
        var steps = atSteps?.ToArray() ?? [];
        var allSteps = atSteps is null;
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO nurture.activity (lead_id, kind, event_type, summary, data, at, recorded_at, sequence_id, step_id)
            SELECT e.lead_id, {kind}, {kind}, left({summary} || COALESCE(', waiting at step ' || e.current_step_id, ''), 500),
                   {json}::jsonb || jsonb_build_object('step', e.current_step_id), {now}, {now}, e.sequence_id, e.current_step_id
            FROM nurture.enrollment e
            WHERE e.sequence_id = {sequenceId} AND e.status = 'Active' AND ({allSteps} OR e.current_step_id = ANY({steps}))
            """, ct);
    }
}
