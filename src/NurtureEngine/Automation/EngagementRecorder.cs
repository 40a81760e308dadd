using System.Text.Json.Nodes;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Timeline;

namespace NurtureEngine.Automation;

/// <summary>
/// The single way behaviour enters the loop: every engagement (opened, clicked, unsubscribed, ...)
/// and every custom event is a timeline row that feeds scoring, thresholds, triggers and exits.
/// </summary>
public sealed class EngagementRecorder(NurtureDbContext db, TimelineWriter timeline, ScoreKeeper scores, SequenceReactions reactions, EventObservers observers)
{
    public async Task<Activity> RecordAsync(Lead lead, Activity activity, JsonObject? properties, CancellationToken ct)
    {
        // A sent email or a custom event changes nothing about the lead but its timeline; when nothing
        // scores, triggers on or tests for that event type, re-evaluating segments and exits is wasted.
        if ((activity.Kind is ActivityKind.EmailSent or ActivityKind.Event or ActivityKind.PageViewed) && !await observers.ObservedAsync(activity.EventType, ct)) return activity;
        await db.SaveChangesAsync(ct);
        await scores.ApplyRulesAsync(lead, activity.EventType, properties, ct);
        await reactions.OnEventAsync(lead, activity.EventType, properties, ct);
        return activity;
    }

    public Task<Activity> RecordAsync(Lead lead, string kind, string summary, object? data, Guid? messageId,
        long? sequenceId, string? stepId, CancellationToken ct)
    {
        var activity = timeline.Add(lead.Id, kind, summary, data, messageId, sequenceId, stepId);
        return RecordAsync(lead, activity, null, ct);
    }
}
