using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Telemetry;
using NurtureEngine.Timeline;

namespace NurtureEngine.Events;

/// <summary>
/// Ingests behaviour events. Each event is stored in its own transaction with everything it
/// causes (score, stage, enrollments), so a bad or duplicate event never undoes a good one.
/// </summary>
public sealed class EventService(NurtureDbContext db, UnitOfWork work, LeadService leads, TimelineWriter timeline, EngagementRecorder engagement, NurtureMetrics metrics)
{
    public const int MaxBatch = 1000;

    public async Task<EventBatchResult> IngestAsync(EventBatch batch, CancellationToken ct)
    {
        if (batch.Events is null) throw new ValidationException("events", "is required: a list of events");
        if (batch.Events.Count > MaxBatch) throw new ValidationException("events", $"at most {MaxBatch} events a call");
        int accepted = 0, duplicates = 0;
        var rejected = new List<RejectedEvent>();
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var (input, error) = Parse(batch.Events[i]);
            if (input is null) { rejected.Add(new RejectedEvent(i, error!)); continue; }
            try
            {
                if (await StoreWithRetryAsync(input, ct)) accepted++; else duplicates++;
            }
            catch (NotFoundException e) { rejected.Add(new RejectedEvent(i, e.Message)); }
            catch (ValidationException e) { rejected.Add(new RejectedEvent(i, e.Message)); }
        }
        metrics.EventsIngested(accepted, duplicates, rejected.Count);
        return new EventBatchResult(accepted, duplicates, rejected);
    }

    /// <summary>Concurrent posts race on unique keys: a taken idempotency key is a duplicate; a lead
    /// created by a concurrent request means this one retries and finds it.</summary>
    private async Task<bool> StoreWithRetryAsync(EventInput input, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreAsync(input, ct);
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg)
            {
                if (pg.ConstraintName?.Contains("idempotency") == true) return false;
                if (attempt >= 3) throw;
            }
        }
    }

    private Task<bool> StoreAsync(EventInput input, CancellationToken ct) => work.RunAsync(async c =>
    {
        using var span = NurtureMetrics.Tracing.StartActivity("event.store");
        span?.SetTag("nurture.event_type", input.Type);
        if (input.IdempotencyKey is { } key && await db.Activities.AnyAsync(a => a.IdempotencyKey == key, c)) return false;
        var lead = input.LeadId is { } id
            ? await db.Leads.FirstOrDefaultAsync(l => l.Id == id, c) ?? throw new NotFoundException($"Lead {id}")
            : await leads.FindOrCreateAsync(input.Email!, c);
        span?.SetTag("nurture.lead_id", lead.Id);
        var kind = ActivityKind.BuiltInEvents.Contains(input.Type) ? input.Type : ActivityKind.Event;
        var activity = timeline.Add(lead.Id, kind, $"Event {input.Type}", new { type = input.Type, properties = input.Properties },
            eventType: input.Type, at: input.OccurredAt);
        activity.IdempotencyKey = input.IdempotencyKey;
        await engagement.RecordAsync(lead, activity, input.Properties, c);
        return true;
    }, ct);

    private static (EventInput?, string?) Parse(JsonNode? node)
    {
        if (node is not JsonObject o) return (null, "each event must be a JSON object");
        try
        {
            var email = o["email"]?.GetValue<string>();
            var leadId = o["leadId"]?.GetValue<string>();
            var type = o["type"]?.GetValue<string>();
            var key = o["idempotencyKey"]?.GetValue<string>();
            var properties = o["properties"];
            DateTimeOffset? at = null;
            if (o["occurredAt"] is { } occurred)
            {
                if (!DateTimeOffset.TryParse(occurred.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                    return (null, "occurredAt: must be an ISO 8601 date-time");
                at = parsed.ToUniversalTime();
            }
            if (!Slug.IsName(type)) return (null, "type: must be an event name (lowercase letters, digits, _ . -)");
            if (email is null && leadId is null) return (null, "email or leadId: one is required");
            if (email is not null && !EmailAddress.IsValid(email)) return (null, "email: not a valid email address");
            Guid? id = null;
            if (leadId is not null) { if (!Guid.TryParse(leadId, out var g)) return (null, "leadId: not a lead id"); id = g; }
            if (key is not null && (key.Length is 0 or > 200)) return (null, "idempotencyKey: 1 to 200 characters");
            if (properties is not null and not JsonObject) return (null, "properties: must be an object");
            return (new EventInput(email, id, type!, at, key, properties as JsonObject), null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            return (null, "a field has the wrong type: email, leadId, type, occurredAt and idempotencyKey are strings");
        }
    }
}
