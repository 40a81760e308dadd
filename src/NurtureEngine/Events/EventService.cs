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
/// Ingests behaviour events. Each event is checked on its own before anything is written (a bad one is
/// a rejected item), then stored with everything it causes (score, stage, enrollments); a bad or
/// duplicate event never undoes a good one, and an unexpected fault stores nothing.
/// </summary>
public sealed class EventService(NurtureDbContext db, UnitOfWork work, LeadService leads, TimelineWriter timeline, EngagementRecorder engagement,
    EventObservers observers, ScoreKeeper scores, Scoring.ScoringStore scoring, Webhooks.WebhookSubscriptionCache webhooks, LeadBatchCreator newLeads, ScoreMoveBatch scoreMoves, NurtureMetrics metrics, TimeProvider clock)
{
    public const int MaxBatch = 1000;

    public async Task<EventBatchResult> IngestAsync(EventBatch batch, CancellationToken ct)
    {
        if (batch.Events is null) throw new ValidationException("events", "is required: a list of events");
        if (batch.Events.Count > MaxBatch) throw new ValidationException("events", $"at most {MaxBatch} events a call");
        var parsed = batch.Events.Select(Parse).ToList();
        var result = await TryStoreAllAsync(parsed, ct) ?? await StoreOneByOneAsync(parsed, ct);
        metrics.EventsIngested(result.Accepted, result.Duplicates, result.Rejected.Count);
        return result;
    }

    /// <summary>
    /// The whole batch in one transaction. Its leads are locked and loaded in one statement (id order, so
    /// concurrent batches over the same leads queue and never deadlock), then the idempotency keys it names
    /// in one query. Each lead's events are replayed in order:
    /// - a lead whose events nothing observes, or only scoring rules do, is worked out in memory: its timeline
    ///   rows go out with one binary COPY for the batch, its points with one relative UPDATE, and the stage moves
    ///   its points make with a few set-based statements (<see cref="ScoreMoveBatch"/>) when nothing else reacts;
    /// - any other lead, and every new one, runs through the same recording as a single event (scoring,
    ///   thresholds, triggers, exits, webhooks), new ones created in email order.
    /// Null when anything fails: then the batch goes one event per transaction, so a bad event never undoes
    /// a good one and the outcome is the same as if it had never been tried.
    /// </summary>
    private async Task<EventBatchResult?> TryStoreAllAsync(List<(EventInput? Input, string? Error)> parsed, CancellationToken ct)
    {
        var inputs = parsed.Where(p => p.Input is not null).Select(p => p.Input!).ToList();
        if (inputs.Count < 2) return null;
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            return await work.RunAsync(async c =>
            {
                var locked = await LockLeadsAsync(inputs, c);
                var byId = locked.ToDictionary(l => l.Id);
                var byEmail = locked.ToDictionary(l => l.EmailNormalized);
                var keys = inputs.Where(i => i.IdempotencyKey is not null).Select(i => i.IdempotencyKey!).Distinct().ToList();
                var seen = keys.Count == 0 ? [] : (await db.Activities.Where(a => a.IdempotencyKey != null && keys.Contains(a.IdempotencyKey))
                    .Select(a => a.IdempotencyKey!).ToListAsync(c)).ToHashSet();
                int accepted = 0, duplicates = 0;
                var rejected = new List<RejectedEvent>();
                var ofLead = new Dictionary<Guid, List<EventInput>>();
                var ofNewLead = new Dictionary<string, List<EventInput>>(StringComparer.Ordinal);
                for (var i = 0; i < parsed.Count; i++)
                {
                    if (parsed[i].Input is not { } input) { rejected.Add(new RejectedEvent(i, parsed[i].Error!)); continue; }
                    if (input.IdempotencyKey is { } key && !seen.Add(key)) { duplicates++; continue; }
                    if (input.LeadId is { } id)
                    {
                        if (!byId.ContainsKey(id)) { rejected.Add(new RejectedEvent(i, new NotFoundException($"Lead {id}").Message)); continue; }
                        Add(ofLead, id, input);
                    }
                    else if (byEmail.TryGetValue(Lead.Normalize(input.Email!), out var known)) Add(ofLead, known.Id, input);
                    else Add(ofNewLead, Lead.Normalize(input.Email!), input);
                    accepted++;
                }

                var copied = new List<Activity>();
                var points = new List<(Guid Lead, int Points)>();
                var general = new List<(Lead Lead, List<EventInput> Events)>();
                var replays = new List<Replay>();
                foreach (var (id, events) in ofLead)
                {
                    if (await ReplayInMemoryAsync(byId[id], events, c) is { } replay) replays.Add(replay);
                    else general.Add((byId[id], events));
                }
                var moved = await scoreMoves.MoveAsync([.. replays.Select(r => r.Move).OfType<ScoreMoveBatch.Move>()], c);
                foreach (var r in replays)
                {
                    if (r.Move is null) copied.AddRange(r.Rows);
                    else if (moved.TryGetValue(r.Lead.Id, out var moveRows)) copied.AddRange([.. r.Rows[..r.RowsBeforeMove], .. moveRows, .. r.Rows[r.RowsBeforeMove..]]);
                    else { general.Add((r.Lead, r.Events)); continue; }
                    if (r.Points != 0) points.Add((r.Lead.Id, r.Points));
                }
                var creation = new List<Activity>();
                var plan = ofNewLead.Count == 0 ? null : await newLeads.PlanAsync(c);
                var fresh = new List<Lead>();
                foreach (var (email, events) in ofNewLead)
                {
                    if (plan is null) break;
                    var lead = LeadBatchCreator.New(events[0].Email!, plan, clock.GetUtcNow());
                    // A new lead whose points cross a threshold is created and moved one by one.
                    if (await ReplayInMemoryAsync(lead, events, c) is not { Move: null } replay) continue;
                    copied.AddRange(replay.Rows);
                    if (replay.Points != 0) points.Add((lead.Id, replay.Points));
                    fresh.Add(lead);
                }
                foreach (var lead in fresh) ofNewLead.Remove(lead.EmailNormalized);
                if (plan is not null && !await newLeads.CreateAsync(fresh, plan, creation, c)) throw new LeadCreatedConcurrently();
                var done = 0;
                foreach (var (lead, events) in general)
                {
                    db.Attach(lead);
                    foreach (var input in events) await RecordAsync(input, lead, c);
                    await SaveChunkAsync(++done, c);
                }
                foreach (var (_, events) in ofNewLead.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    var lead = await leads.FindOrCreateAsync(events[0].Email!, c);
                    foreach (var input in events) await RecordAsync(input, lead, c);
                    await SaveChunkAsync(++done, c);
                }
                await db.SaveChangesAsync(c);
                await timeline.CopyAsync([.. creation, .. copied], c);
                if (points.Count > 0)
                {
                    var ids = points.Select(p => p.Lead).ToArray();
                    var deltas = points.Select(p => p.Points).ToArray();
                    await db.Database.ExecuteSqlAsync($"""
                        UPDATE nurture.lead l SET score = l.score + d.points
                        FROM unnest({ids}, {deltas}) AS d(id, points) WHERE l.id = d.id
                        """, c);
                }
                return new EventBatchResult(accepted, duplicates, rejected);
            }, ct);
        }
        catch (Exception e) when (e is DbUpdateException or PostgresException or NotFoundException or ValidationException or LeadCreatedConcurrently)
        {
            return null;
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }
    }

    /// <summary>A concurrent writer created a lead this batch was creating: the batch goes one event at a time, which finds it.</summary>
    private sealed class LeadCreatedConcurrently : Exception;

    private static void Add<TKey>(Dictionary<TKey, List<EventInput>> of, TKey key, EventInput input) where TKey : notnull
    {
        if (!of.TryGetValue(key, out var list)) of[key] = list = [];
        list.Add(input);
    }

    /// <summary>Saves and forgets what the general path tracked, every few leads.</summary>
    private async Task SaveChunkAsync(int done, CancellationToken ct)
    {
        if (done % ChunkTracking.ChunkSize != 0) return;
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>A lead's events worked out in memory: its timeline rows and points, and the stage move a threshold makes
    /// (its rows go after the first <see cref="RowsBeforeMove"/>, the ledger row that crossed).</summary>
    private sealed record Replay(Lead Lead, List<EventInput> Events, List<Activity> Rows, int Points, ScoreMoveBatch.Move? Move, int RowsBeforeMove);

    /// <summary>
    /// A lead's events worked out in memory, with the outcome <see cref="RecordAsync"/> would have: the custom
    /// event's row, and for each rule it matches a <c>score_changed</c> row (what <see cref="ScoreKeeper"/> writes),
    /// and the move the first threshold its points cross makes (<see cref="ScoreMoveBatch"/> stores it, or says no).
    /// Null when any event needs more: a built-in kind, a trigger or condition that observes it, a webhook that wants
    /// a row, or points that cross a second threshold.
    /// </summary>
    private async Task<Replay?> ReplayInMemoryAsync(Lead lead, List<EventInput> events, CancellationToken ct)
    {
        var config = await scoring.GetAsync(ct);
        var subscriptions = await webhooks.GetAsync(db, ct);
        var rows = new List<Activity>();
        var score = lead.Score;
        var stageId = lead.StageId;
        ScoreMoveBatch.Move? move = null;
        var beforeMove = 0;
        foreach (var input in events)
        {
            if (ActivityKind.BuiltInEvents.Contains(input.Type) || await observers.ReachAsync(input.Type, ct) == EventReach.More
                || subscriptions.Any(s => s.Wants(ActivityKind.Event, input.Type))) return null;
            var row = timeline.Create(lead.Id, ActivityKind.Event, $"Event {input.Type}", new { type = input.Type, properties = input.Properties },
                eventType: input.Type, at: input.OccurredAt);
            row.IdempotencyKey = input.IdempotencyKey;
            rows.Add(row);
            foreach (var rule in config.Rules.Where(r => r.Event == input.Type && r.Points != 0 && PropertyFilter.Matches(r.Where, input.Properties)))
            {
                if (subscriptions.Any(s => s.Wants(ActivityKind.ScoreChanged, ActivityKind.ScoreChanged))) return null;
                var before = score;
                score += rule.Points;
                rows.Add(ScoreKeeper.LedgerRow(timeline, lead.Id, before, rule.Points, $"rule {rule.Event}", input.Type));
                if (await scores.ThresholdMoveAsync(stageId, score, ct) is not { } crossing) continue;
                if (move is not null) return null;
                move = new ScoreMoveBatch.Move(lead, crossing.From, crossing.To);
                stageId = crossing.To.Id;
                beforeMove = rows.Count;
            }
        }
        return new Replay(lead, events, rows, score - lead.Score, move, beforeMove);
    }

    /// <summary>Every lead the batch names, locked in id order and loaded in one statement (not tracked: the in-memory
    /// replay writes set-based; a lead that takes the general path is attached).</summary>
    private Task<List<Lead>> LockLeadsAsync(List<EventInput> inputs, CancellationToken ct)
    {
        var ids = inputs.Where(i => i.LeadId is not null).Select(i => i.LeadId!.Value).Distinct().ToList();
        var emails = inputs.Where(i => i.Email is not null).Select(i => Lead.Normalize(i.Email!)).Distinct().ToList();
        return db.Leads.AsNoTracking().Where(l => ids.Contains(l.Id) || emails.Contains(l.EmailNormalized)).OrderBy(l => l.Id).ForUpdate().ToListAsync(ct);
    }

    /// <summary>
    /// One event at a time, each behind a savepoint of one transaction: an expected refusal (an unknown
    /// lead, a taken idempotency key) undoes that event alone; an unexpected fault undoes the whole
    /// batch, so the client's retry never stores an event twice.
    /// </summary>
    private Task<EventBatchResult> StoreOneByOneAsync(List<(EventInput? Input, string? Error)> parsed, CancellationToken ct) => work.RunAsync(async c =>
    {
        int accepted = 0, duplicates = 0;
        var rejected = new List<RejectedEvent>();
        await LockLeadsAsync(parsed.Select(p => p.Input).OfType<EventInput>().ToList(), c);
        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i].Input is not { } input) { rejected.Add(new RejectedEvent(i, parsed[i].Error!)); continue; }
            try
            {
                await db.Database.CurrentTransaction!.CreateSavepointAsync(EventSavepoint, c);
                if (await StoreWithRetryAsync(input, c)) accepted++; else duplicates++;
            }
            catch (Exception e) when (e is NotFoundException or ValidationException)
            {
                await db.Database.CurrentTransaction!.RollbackToSavepointAsync(EventSavepoint, c);
                db.ChangeTracker.Clear();
                rejected.Add(new RejectedEvent(i, e.Message));
            }
        }
        return new EventBatchResult(accepted, duplicates, rejected);
    }, ct);

    private const string EventSavepoint = "nurture_event";

    /// <summary>Concurrent posts race on unique keys: a taken idempotency key is a duplicate; a lead
    /// created by a concurrent request means this one retries (from the event's savepoint) and finds it.</summary>
    private async Task<bool> StoreWithRetryAsync(EventInput input, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await StoreAsync(input, ct);
                await db.SaveChangesAsync(ct);
                return stored;
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg)
            {
                await db.Database.CurrentTransaction!.RollbackToSavepointAsync(EventSavepoint, ct);
                db.ChangeTracker.Clear();
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
            ? await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == id, c) ?? throw new NotFoundException($"Lead {id}")
            : await leads.FindOrCreateAsync(input.Email!, c);
        span?.SetTag("nurture.lead_id", lead.Id);
        await RecordAsync(input, lead, c);
        return true;
    }, ct);

    private async Task RecordAsync(EventInput input, Lead lead, CancellationToken ct)
    {
        var kind = ActivityKind.BuiltInEvents.Contains(input.Type) ? input.Type : ActivityKind.Event;
        var activity = timeline.Add(lead.Id, kind, $"Event {input.Type}", new { type = input.Type, properties = input.Properties },
            eventType: input.Type, at: input.OccurredAt);
        activity.IdempotencyKey = input.IdempotencyKey;
        await engagement.RecordAsync(lead, activity, input.Properties, ct);
    }

    private (EventInput?, string?) Parse(JsonNode? node)
    {
        if (node is not JsonObject o) return (null, "each event must be a JSON object");
        if (InputText.FindProblem(o) is { } problem) return (null, $"{problem.Field}: {problem.Error}");
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
                if (at > clock.GetUtcNow() + InputLimits.MaxClockSkew) return (null, "occurredAt: must not lie in the future");
            }
            if (!Slug.IsName(type)) return (null, "type: must be an event name (lowercase letters, digits, _ . -)");
            if (email is null && leadId is null) return (null, "email or leadId: one is required");
            if (email is not null && !EmailAddress.IsValid(email)) return (null, "email: not a valid email address");
            Guid? id = null;
            if (leadId is not null) { if (!Guid.TryParse(leadId, out var g)) return (null, "leadId: not a lead id"); id = g; }
            if (key is not null && (key.Length is 0 or > 200)) return (null, "idempotencyKey: 1 to 200 characters");
            if (properties is not null and not JsonObject) return (null, "properties: must be an object");
            if (properties is not null && properties.ToJsonString().Length > InputLimits.MaxEventPropertiesJsonChars)
                return (null, $"properties: at most {InputLimits.MaxEventPropertiesJsonChars} characters of JSON");
            return (new EventInput(email, id, type!, at, key, properties as JsonObject), null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            return (null, "a field has the wrong type: email, leadId, type, occurredAt and idempotencyKey are strings");
        }
    }
}
