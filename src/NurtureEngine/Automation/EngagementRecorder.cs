using System.Text.Json.Nodes;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Timeline;

namespace NurtureEngine.Automation;

/// <summary>
/// The single way behaviour enters the loop: every engagement (opened, clicked, unsubscribed, ...)
/// and every custom event is a timeline row that feeds scoring, thresholds, triggers and exits.
/// </summary>
public sealed class EngagementRecorder(NurtureDbContext db, TimelineWriter timeline, ScoreKeeper scores, SequenceReactions reactions)
{
    public async Task<Activity> RecordAsync(Lead lead, Activity activity, JsonObject? properties, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await scores.ApplyRulesAsync(lead, activity.EventType, ct);
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
