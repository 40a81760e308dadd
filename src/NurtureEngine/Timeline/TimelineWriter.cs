using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Timeline;

/// <summary>Adds timeline rows to the current unit of work (saved with the change they describe).</summary>
public sealed class TimelineWriter(NurtureDbContext db, TimeProvider clock)
{
    public Activity Add(Guid leadId, string kind, string summary, object? data = null, Guid? messageId = null,
        long? sequenceId = null, string? stepId = null, string? eventType = null, DateTimeOffset? at = null)
    {
        var activity = Create(leadId, kind, summary, data, messageId, sequenceId, stepId, eventType, at);
        db.Activities.Add(activity);
        return activity;
    }

    /// <summary>A timeline row not yet added to the unit of work: for <see cref="CopyAsync"/>.</summary>
    public Activity Create(Guid leadId, string kind, string summary, object? data = null, Guid? messageId = null,
        long? sequenceId = null, string? stepId = null, string? eventType = null, DateTimeOffset? at = null)
    {
        var now = clock.GetUtcNow();
        return new Activity
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
    }

    /// <summary>
    /// Writes many rows with one binary COPY in the current transaction. They skip the unit of work, so they do not
    /// go to outbound webhooks: only for kinds no webhook subscription wants.
    /// </summary>
    public async Task CopyAsync(IReadOnlyCollection<Activity> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY nurture.activity (lead_id, kind, event_type, summary, data, at, recorded_at, idempotency_key, message_id, sequence_id, step_id)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var a in rows)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(a.LeadId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(a.Kind, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(a.EventType, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(a.Summary, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(a.DataJson, NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(a.At, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(a.RecordedAt, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteNullableAsync(a.IdempotencyKey, NpgsqlDbType.Text, ct);
            await copy.WriteNullableAsync(a.MessageId, NpgsqlDbType.Uuid, ct);
            await copy.WriteNullableAsync(a.SequenceId, NpgsqlDbType.Bigint, ct);
            await copy.WriteNullableAsync(a.StepId, NpgsqlDbType.Text, ct);
        }
        await copy.CompleteAsync(ct);
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
