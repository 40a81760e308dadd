using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Sequences;

namespace NurtureEngine.Automation;

/// <summary>
/// What sequences do when a lead changes: matching triggers enroll it; an <c>exitWhen</c> that now
/// holds ends its enrollment at once (not at the next step).
/// </summary>
public sealed class SequenceReactions(NurtureDbContext db, Enroller enroller, ConditionEvaluator conditions, SequenceCatalog catalog, Segments.SegmentTracker segments)
{
    /// <summary>Anything about the lead changed: segment membership first (it may enroll), then exits.</summary>
    public async Task LeadChangedAsync(Lead lead, CancellationToken ct)
    {
        await segments.RefreshAsync(lead, ct);
        await ExitWhereConditionsHoldAsync(lead, ct);
    }

    public async Task OnTagsAddedAsync(Lead lead, IEnumerable<string> tags, CancellationToken ct)
    {
        foreach (var tag in tags)
            foreach (var s in await TriggeredAsync(TriggerType.TagAdded, tag, ct))
                await enroller.EnrollAsync(lead, s, $"tag {tag} added", ct);
    }

    public static string StageTriggerKey(string pipeline, string stage) => $"{pipeline}/{stage}";

    public async Task OnStageEnteredAsync(Lead lead, string pipelineKey, string stageKey, CancellationToken ct)
    {
        await LeadChangedAsync(lead, ct);
        var sequences = await TriggeredAsync(TriggerType.StageEntered, StageTriggerKey(pipelineKey, stageKey), ct);
        foreach (var s in sequences)
            await enroller.EnrollAsync(lead, s, $"entered stage {stageKey} ({pipelineKey})", ct);
    }

    /// <summary>A deal of the lead entered a stage: <c>deal_stage_entered</c> triggers enroll the deal's lead.</summary>
    public async Task OnDealStageEnteredAsync(Lead lead, string pipelineKey, string stageKey, CancellationToken ct)
    {
        foreach (var s in await TriggeredAsync(TriggerType.DealStageEntered, StageTriggerKey(pipelineKey, stageKey), ct))
            await enroller.EnrollAsync(lead, s, $"a deal entered stage {stageKey} ({pipelineKey})", ct);
    }

    public async Task OnLeadCreatedAsync(Lead lead, CancellationToken ct)
    {
        foreach (var s in await TriggeredAsync(TriggerType.LeadCreated, null, ct))
        {
            var trigger = (await CurrentDefinitionAsync(s, ct)).Trigger;
            if (trigger?.Source is { } source && !string.Equals(source, lead.Source, StringComparison.OrdinalIgnoreCase)) continue;
            await enroller.EnrollAsync(lead, s, lead.Source is null ? "lead created" : $"lead created from {lead.Source}", ct);
        }
    }

    public async Task OnEventAsync(Lead lead, string eventType, JsonObject? properties, CancellationToken ct)
    {
        await LeadChangedAsync(lead, ct);
        foreach (var s in await TriggeredAsync(TriggerType.Event, eventType, ct))
        {
            var trigger = (await CurrentDefinitionAsync(s, ct)).Trigger;
            if (!PropertiesMatch(trigger?.Properties, properties)) continue;
            var matched = trigger?.Properties is { Count: > 0 } filter ? $" with {string.Join(", ", filter.Select(f => $"{f.Key} = {f.Value.GetRawText()}"))}" : "";
            await enroller.EnrollAsync(lead, s, $"event {eventType}{matched}", ct);
        }
        if (eventType == Timeline.ActivityKind.FormSubmitted && properties?["form"]?.GetValue<string>() is { } form)
            foreach (var s in await TriggeredAsync(TriggerType.FormSubmitted, form, ct))
                await enroller.EnrollAsync(lead, s, $"form {form} submitted", ct);
    }

    /// <summary>Ends every active enrollment of the lead whose exitWhen holds now.</summary>
    public async Task ExitWhereConditionsHoldAsync(Lead lead, CancellationToken ct)
    {
        var active = await db.Enrollments.Where(e => e.LeadId == lead.Id && e.Status == EnrollmentStatus.Active).ToListAsync(ct);
        foreach (var enrollment in active)
        {
            var definition = await catalog.GetVersionAsync(db, enrollment.SequenceVersionId, ct);
            var reason = await ExitReasonAsync(definition, lead, enrollment, ct);
            if (reason is null) continue;
            var name = await db.Sequences.Where(s => s.Id == enrollment.SequenceId).Select(s => s.Name).SingleAsync(ct);
            await enroller.ExitAsync(enrollment, name, reason, EnrollmentStatus.Exited, ct);
        }
    }

    /// <summary>The first exitWhen condition that holds, described; null when none does.</summary>
    public async Task<string?> ExitReasonAsync(SequenceDefinition definition, Lead lead, Enrollment enrollment, CancellationToken ct)
    {
        foreach (var condition in definition.ExitWhen ?? [])
            if (await conditions.EvaluateAsync(condition, lead, enrollment, ct))
                return $"exit condition {Describe(condition)} holds";
        return null;
    }

    public static string Describe(Condition c) => c.Type switch
    {
        ConditionType.StageEntered or ConditionType.InStage => $"{c.Type} {c.Stage}",
        ConditionType.Event => $"event {c.Event}",
        ConditionType.ScoreAtLeast => $"score_at_least {c.Score}",
        ConditionType.HasTag => $"has_tag {c.Tag}",
        ConditionType.Attribute => $"attribute {c.Key}",
        ConditionType.Opened or ConditionType.Clicked or ConditionType.Replied => c.Step is null ? c.Type : $"{c.Type} {c.Step}",
        ConditionType.Not => $"not ({(c.Inner is null ? "" : Describe(c.Inner))})",
        ConditionType.All or ConditionType.Any => $"{c.Type} ({string.Join(", ", (c.Of ?? []).Select(Describe))})",
        _ => c.Type,
    };

    private Task<List<Sequence>> TriggeredAsync(string type, string? key, CancellationToken ct) =>
        db.Sequences.Where(s => s.TriggerType == type && (key == null || s.TriggerKey == key)).OrderBy(s => s.Id).ToListAsync(ct);

    private async Task<SequenceDefinition> CurrentDefinitionAsync(Sequence s, CancellationToken ct)
    {
        var versionId = await db.SequenceVersions.Where(v => v.SequenceId == s.Id && v.Version == s.CurrentVersion).Select(v => v.Id).SingleAsync(ct);
        return await catalog.GetVersionAsync(db, versionId, ct);
    }

    private static bool PropertiesMatch(Dictionary<string, JsonElement>? filter, JsonObject? properties)
    {
        if (filter is null || filter.Count == 0) return true;
        if (properties is null) return false;
        return filter.All(f => properties[f.Key] is { } v && JsonNode.DeepEquals(v, JsonNode.Parse(f.Value.GetRawText())));
    }
}
