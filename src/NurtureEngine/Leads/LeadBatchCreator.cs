using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Pipelines;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Leads;

/// <summary>
/// Creates the leads an event batch names by unknown emails with a few set-based statements, storing what
/// <see cref="LeadService.FindOrCreateAsync"/> stores for each: the lead in the first stage of the default
/// pipeline, its <c>created</c> and <c>stage_changed</c> rows, the stage change, and an enrollment (with its
/// <c>enrolled</c> row) in every sequence that <c>stage_entered</c> of that stage or <c>lead_created</c> triggers.
/// Only when nothing else reacts to a new lead: no segment, no hand-off on the stage, no webhook wanting those
/// rows, no <c>lead_created</c> trigger filtered by source. Otherwise <see cref="PlanAsync"/> says no and the
/// caller creates them one by one.
/// </summary>
public sealed class LeadBatchCreator(NurtureDbContext db, LeadService leads, TimelineWriter timeline, UnitOfWork work, SequenceCatalog catalog,
    WebhookSubscriptionCache webhooks, TimeProvider clock)
{
    /// <summary>A sequence a new lead enters, and why.</summary>
    public sealed record Entry(Sequence Sequence, long VersionId, string? FirstStep, string Reason);

    /// <summary>What a new lead gets; null when new leads must be created one by one.</summary>
    public sealed record Plan(Stage Stage, string PipelineKey, IReadOnlyList<Entry> Entries);

    public async Task<Plan?> PlanAsync(CancellationToken ct)
    {
        var stage = await leads.FirstStageAsync(ct);
        if (stage.HandoffJson is not null || await db.Segments.AnyAsync(ct)) return null;
        var subscriptions = await webhooks.GetAsync(db, ct);
        if (subscriptions.Any(s => s.Wants(ActivityKind.Created, ActivityKind.Created) || s.Wants(ActivityKind.StageChanged, ActivityKind.StageChanged)
            || s.Wants(ActivityKind.Enrolled, ActivityKind.Enrolled))) return null;
        var pipelineKey = await db.Pipelines.Where(p => p.Id == stage.PipelineId).Select(p => p.Key).SingleAsync(ct);
        var stageKey = SequenceReactions.StageTriggerKey(pipelineKey, stage.Key);
        var entries = new List<Entry>();
        // In the order the one-by-one path enrolls: entering the first stage, then being created.
        foreach (var (type, reason) in new[] { (TriggerType.StageEntered, $"entered stage {stage.Key} ({pipelineKey})"), (TriggerType.LeadCreated, "lead created") })
        {
            var sequences = await db.Sequences.AsNoTracking().Where(s => s.TriggerType == type && (type == TriggerType.LeadCreated || s.TriggerKey == stageKey))
                .OrderBy(s => s.Id).ToListAsync(ct);
            foreach (var sequence in sequences)
            {
                var versionId = await db.SequenceVersions.Where(v => v.SequenceId == sequence.Id && v.Version == sequence.CurrentVersion).Select(v => v.Id).SingleAsync(ct);
                var definition = await catalog.GetVersionAsync(db, versionId, ct);
                if (type == TriggerType.LeadCreated && definition.Trigger?.Source is not null) return null;
                entries.Add(new Entry(sequence, versionId, definition.Steps.FirstOrDefault()?.Id, reason));
            }
        }
        return new Plan(stage, pipelineKey, entries);
    }

    /// <summary>A lead not yet stored, for the caller to replay events on before <see cref="CreateAsync"/>.</summary>
    public static Lead New(string email, Plan plan, DateTimeOffset now) => new()
    {
        Email = email.Trim(), EmailNormalized = Lead.Normalize(email), CreatedAt = now, UpdatedAt = now,
        PipelineId = plan.Stage.PipelineId, StageId = plan.Stage.Id, StageEnteredAt = now,
    };

    /// <summary>
    /// Inserts the leads (sorted by email, so concurrent batches insert in one order) and what comes with them; their
    /// timeline rows go to <paramref name="rows"/> for the caller's COPY. False when a concurrent writer created one of
    /// them first: the caller undoes the transaction.
    /// </summary>
    private static readonly string[] NoTags = [];
    private const string NoAttributes = "{}";

    public async Task<bool> CreateAsync(IReadOnlyList<Lead> created, Plan plan, List<Activity> rows, CancellationToken ct)
    {
        if (created.Count == 0) return true;
        var now = clock.GetUtcNow();
        var sorted = created.OrderBy(l => l.EmailNormalized, StringComparer.Ordinal).ToList();
        var ids = sorted.Select(l => l.Id).ToArray();
        var emails = sorted.Select(l => l.Email).ToArray();
        var keys = sorted.Select(l => l.EmailNormalized).ToArray();
        var stored = await db.Database.SqlQuery<Guid>($"""
            INSERT INTO nurture.lead (id, email, email_normalized, tags, attributes, pipeline_id, stage_id, stage_entered_at, score, status,
                                      soft_bounces, created_at, updated_at)
            SELECT n.id, n.email, n.key, {NoTags}, {NoAttributes}::jsonb, {plan.Stage.PipelineId}, {plan.Stage.Id}, {now}, 0, {nameof(LeadStatus.Subscribed)}, 0, {now}, {now}
            FROM unnest({ids}, {emails}, {keys}) WITH ORDINALITY AS n(id, email, key, ord) ORDER BY n.ord
            ON CONFLICT (email_normalized) DO NOTHING
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        if (stored.Count != sorted.Count) return false;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO nurture.stage_change (lead_id, pipeline_id, to_stage_id, cause, at, converted)
            SELECT id, {plan.Stage.PipelineId}, {plan.Stage.Id}, {StageChangeCause.Created}, {now}, false FROM unnest({ids}) AS id
            """, ct);
        foreach (var lead in sorted)
        {
            rows.Add(timeline.Create(lead.Id, ActivityKind.Created, "Lead created", new { source = (string?)null, cause = StageChangeCause.Api }));
            rows.Add(timeline.Create(lead.Id, ActivityKind.StageChanged, $"Entered stage {plan.Stage.Name} ({StageChangeCause.Created})",
                new { pipeline = plan.PipelineKey, from = (string?)null, to = plan.Stage.Key, cause = StageChangeCause.Created }));
            foreach (var e in plan.Entries)
                rows.Add(timeline.Create(lead.Id, ActivityKind.Enrolled, $"Enrolled in \"{e.Sequence.Name}\": {e.Reason}",
                    new { sequence = e.Sequence.Key, version = e.Sequence.CurrentVersion, reason = e.Reason }, sequenceId: e.Sequence.Id));
        }
        foreach (var e in plan.Entries) await Enroller.EnrollManyAsync(db, work, e.Sequence.Id, e.VersionId, e.FirstStep, ids, now, ct);
        return true;
    }
}
