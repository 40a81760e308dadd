using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sequences;

/// <summary>One A/B variant of an email step; <see cref="OpensVsFirst"/> and <see cref="ClicksVsFirst"/> are null for the first (the baseline).</summary>
public sealed record VariantStats(string Step, string Template, int Weight, int Sent, int Opened, int Clicked,
    Reports.Significance? OpensVsFirst, Reports.Significance? ClicksVsFirst)
{
    public double OpenRate => Sent == 0 ? 0 : (double)Opened / Sent;
    public double ClickRate => Sent == 0 ? 0 : (double)Clicked / Sent;
}

public sealed record StepStats(string Step, string Type, int Sent, int Delivered, int Opened, int Clicked, int Replied,
    int Bounced, int Unsubscribed, int Failed, int Suppressed, int Waiting);

/// <summary>
/// Leads waiting at one step of one version, and what saving would do to them: <see cref="IfSaved"/> (they
/// stay on their version) and <see cref="IfMigrated"/> (moved by step id), each with the path ahead of them.
/// </summary>
public sealed record ImpactRow(string Step, int FromVersion, int Leads, string IfSaved, string IfMigrated, bool StepChanged);
public sealed record Impact(int CurrentVersion, int NewVersion, IReadOnlyList<ImpactRow> Waiting, IReadOnlyList<string> AddedSteps, IReadOnlyList<string> RemovedSteps);

/// <summary>
/// A sequence as stored: its current version's definition (a copy of its own, free to change) with the sequence's name,
/// status and version.
/// </summary>
public sealed record SequenceDto(string Key, string Name, SequenceStatus Status, int Version, SequenceDefinition Definition)
{
    /// <summary>As the API shows it (API.md "Sequences"): the definition's fields, with key, name, status and version.</summary>
    public JsonObject ToJson()
    {
        var json = (JsonObject)JsonNode.Parse(Json.Serialize(Definition))!;
        json.Insert(0, "key", Key);
        json["name"] = Name;
        json["status"] = Status.ToString().ToLowerInvariant();
        json["version"] = Version;
        return json;
    }
}

public sealed class SequenceService(
    NurtureDbContext db, SequenceValidator validator, SequenceCatalog catalog, Enroller enroller, UnitOfWork work, TimelineWriter timeline, TimeProvider clock)
{
    /// <summary>Saves a new version; with <c>migrate</c>, waiting leads move to it in the same transaction.</summary>
    public async Task<(SequenceDto Sequence, bool Created)> PutAsync(string key, SequenceDefinition definition, CancellationToken ct)
    {
        await validator.ValidateAsync(key, definition, ct);
        var migrate = definition.Migrate == true;
        var requested = definition.Status;
        definition.Status = null;
        definition.Migrate = null;
        // The answer describes the version this save made, read in its transaction: a concurrent save may commit a newer one at once.
        return await CreateRace.RetryAsync(db, () => work.RunAsync(async c =>
        {
            var defaultPipeline = await db.Pipelines.OrderByDescending(p => p.IsDefault).ThenBy(p => p.Id).Select(p => p.Key).FirstAsync(c);
            var now = clock.GetUtcNow();
            // Locked: two saves of one sequence at once make two versions one after the other, not the same number twice.
            var sequence = (await db.Sequences.FromSql($"SELECT * FROM nurture.sequence WHERE key = {key} FOR UPDATE").ToListAsync(c)).SingleOrDefault();
            var created = sequence is null;
            if (sequence is null) db.Sequences.Add(sequence = new Sequence { Key = key, Name = definition.Name ?? key, CreatedAt = now });
            sequence.Name = definition.Name ?? sequence.Name;
            var status = requested is null ? sequence.Status : requested == "paused" ? SequenceStatus.Paused : SequenceStatus.Active;
            sequence.CurrentVersion++;
            sequence.UpdatedAt = now;
            sequence.TriggerType = definition.Trigger!.Type;
            sequence.TriggerKey = SequenceValidator.TriggerKeyOf(definition.Trigger, defaultPipeline);
            var version = new SequenceVersion { Version = sequence.CurrentVersion, DefinitionJson = Json.Serialize(definition), CreatedAt = now };
            sequence.Versions.Add(version);
            await db.SaveChangesAsync(c);
            if (!created && status != sequence.Status) await ChangeStatusAsync(sequence, status, c);
            else sequence.Status = status;
            if (migrate && !created) await MigrateAsync(sequence, version, definition, c);
            return (new SequenceDto(sequence.Key, sequence.Name, sequence.Status, sequence.CurrentVersion, Json.Deserialize<SequenceDefinition>(version.DefinitionJson)), created);
        }, ct));
    }

    /// <summary>Waiting leads move to the new version where their step still exists (matched by id); the rest finish on theirs.</summary>
    private async Task MigrateAsync(Sequence sequence, SequenceVersion version, SequenceDefinition definition, CancellationToken ct)
    {
        var stepIds = definition.Steps.Select(s => s.Id).ToList();
        await timeline.AddForActiveEnrollmentsAsync(sequence.Id, ActivityKind.EnrollmentMigrated,
            $"\"{sequence.Name}\" moved to version {version.Version}", new { toVersion = version.Version }, stepIds, ct);
        await db.Enrollments.Where(e => e.SequenceId == sequence.Id && e.Status == EnrollmentStatus.Active && e.CurrentStepId != null && stepIds.Contains(e.CurrentStepId))
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.SequenceVersionId, version.Id), ct);
    }

    /// <summary>Pausing or resuming: every lead in the sequence keeps its place, and its timeline says so.</summary>
    private async Task ChangeStatusAsync(Sequence sequence, SequenceStatus status, CancellationToken ct)
    {
        sequence.Status = status;
        sequence.UpdatedAt = clock.GetUtcNow();
        var paused = status == SequenceStatus.Paused;
        await timeline.AddForActiveEnrollmentsAsync(sequence.Id, paused ? ActivityKind.SequencePaused : ActivityKind.SequenceResumed,
            paused ? $"\"{sequence.Name}\" paused: nothing is sent until it is resumed" : $"\"{sequence.Name}\" resumed", new { }, null, ct);
        if (paused) await Mail.PausedMail.TakeBackFromSequenceAsync(db, sequence.Id, ct);
        else work.WorkDueNow(); // resuming: whatever fell due while paused runs now
    }

    /// <summary>What saving this definition would do to the leads waiting in the sequence now.</summary>
    public async Task<Impact> ImpactAsync(string key, SequenceDefinition definition, CancellationToken ct)
    {
        await validator.ValidateAsync(key, definition, ct);
        var s = await db.Sequences.AsNoTracking().FirstOrDefaultAsync(x => x.Key == key, ct) ?? throw new NotFoundException($"Sequence '{key}'");
        var versions = await db.SequenceVersions.Where(v => v.SequenceId == s.Id).ToDictionaryAsync(v => v.Id, v => v.Version, ct);
        var definitions = new Dictionary<long, SequenceDefinition>();
        foreach (var id in versions.Keys) definitions[id] = await catalog.GetVersionAsync(db, id, ct);
        var current = definitions[versions.Single(v => v.Value == s.CurrentVersion).Key];
        var waiting = (await db.Enrollments.Where(e => e.SequenceId == s.Id && e.Status == EnrollmentStatus.Active)
            .GroupBy(e => new { e.CurrentStepId, e.SequenceVersionId }).Select(g => new { g.Key.CurrentStepId, g.Key.SequenceVersionId, Count = g.Count() })
            .ToListAsync(ct))
            .OrderBy(g => versions[g.SequenceVersionId]).ThenBy(g => g.CurrentStepId).ToList();
        var next = s.CurrentVersion + 1;
        var rows = waiting.Select(w =>
        {
            var version = versions[w.SequenceVersionId];
            var old = definitions[w.SequenceVersionId];
            var step = w.CurrentStepId ?? "(end)";
            var moves = w.CurrentStepId is not null && definition.IndexOf(w.CurrentStepId) >= 0;
            var changed = moves && old.IndexOf(w.CurrentStepId!) is >= 0 and var at
                && Json.Serialize(old.Steps[at]) != Json.Serialize(definition.Steps[definition.IndexOf(w.CurrentStepId!)]);
            return new ImpactRow(step, version, w.Count,
                IfSaved: $"continue on version {version}: {StepPath.From(old, w.CurrentStepId)}",
                IfMigrated: moves ? $"move to version {next} at step {step}{(changed ? " (this step changes)" : "")}: {StepPath.From(definition, w.CurrentStepId)}"
                    : $"step {step} is not in version {next}: continue on version {version}",
                StepChanged: changed);
        }).ToList();
        var newIds = definition.Steps.Select(x => x.Id).ToHashSet();
        var oldIds = current.Steps.Select(x => x.Id).ToHashSet();
        return new Impact(s.CurrentVersion, next, rows, newIds.Except(oldIds).ToList(), oldIds.Except(newIds).ToList());
    }

    public async Task<SequenceDto?> GetAsync(string key, CancellationToken ct) =>
        (await ReadAsync(db.Sequences.Where(x => x.Key == key), ct)).SingleOrDefault();

    public Task<List<SequenceDto>> ListAsync(CancellationToken ct) => ReadAsync(db.Sequences.OrderBy(s => s.Key), ct);

    public Task SetStatusAsync(string key, SequenceStatus status, CancellationToken ct) => work.RunAsync(async c =>
    {
        var s = await db.Sequences.FirstOrDefaultAsync(x => x.Key == key, c) ?? throw new NotFoundException($"Sequence '{key}'");
        if (s.Status != status) await ChangeStatusAsync(s, status, c);
    }, ct);

    public Task<bool> EnrollAsync(string key, Guid leadId, CancellationToken ct) => work.RunAsync(async c =>
    {
        var s = await db.Sequences.FirstOrDefaultAsync(x => x.Key == key, c) ?? throw new NotFoundException($"Sequence '{key}'");
        var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == leadId, c) ?? throw new ValidationException("leadId", "unknown lead");
        return await enroller.EnrollAsync(lead, s, "enrolled by hand", c) is not null;
    }, ct);

    public Task<bool> UnenrollAsync(string key, Guid leadId, CancellationToken ct) => work.RunAsync(async c =>
    {
        var s = await db.Sequences.FirstOrDefaultAsync(x => x.Key == key, c) ?? throw new NotFoundException($"Sequence '{key}'");
        if (!await db.Leads.AnyAsync(l => l.Id == leadId, c)) throw new ValidationException("leadId", "unknown lead");
        var enrollment = await db.Enrollments.FirstOrDefaultAsync(e => e.LeadId == leadId && e.SequenceId == s.Id && e.Status == EnrollmentStatus.Active, c);
        if (enrollment is null) return false;
        return await enroller.ExitAsync(enrollment, s.Name, "unenrolled by hand", EnrollmentStatus.Exited, c);
    }, ct);

    public async Task<IReadOnlyList<StepStats>> StatsAsync(string key, CancellationToken ct)
    {
        var s = await db.Sequences.AsNoTracking().FirstOrDefaultAsync(x => x.Key == key, ct) ?? throw new NotFoundException($"Sequence '{key}'");
        var versionId = await db.SequenceVersions.Where(v => v.SequenceId == s.Id && v.Version == s.CurrentVersion).Select(v => v.Id).SingleAsync(ct);
        var definition = await catalog.GetVersionAsync(db, versionId, ct);
        var messages = await db.Messages.Where(m => m.SequenceId == s.Id).GroupBy(m => new { m.StepId, m.Status })
            .Select(g => new { g.Key.StepId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var engagement = await db.Activities.Where(a => a.SequenceId == s.Id && a.MessageId != null)
            .GroupBy(a => new { a.StepId, a.Kind }).Select(g => new { g.Key.StepId, g.Key.Kind, Leads = g.Select(a => a.LeadId).Distinct().Count() }).ToListAsync(ct);
        var waiting = await db.Enrollments.Where(e => e.SequenceId == s.Id && e.Status == EnrollmentStatus.Active)
            .GroupBy(e => e.CurrentStepId).Select(g => new { Step = g.Key, Count = g.Count() }).ToListAsync(ct);
        int M(string step, MessageStatus st) => messages.Where(m => m.StepId == step && m.Status == st).Sum(m => m.Count);
        int E(string step, string kind) => engagement.Where(a => a.StepId == step && a.Kind == kind).Sum(a => a.Leads);
        return definition.Steps.Select(step => new StepStats(step.Id, step.Type,
            Sent: M(step.Id, MessageStatus.Sent), Delivered: M(step.Id, MessageStatus.Sent) - E(step.Id, ActivityKind.EmailBounced),
            Opened: E(step.Id, ActivityKind.EmailOpened), Clicked: E(step.Id, ActivityKind.EmailClicked), Replied: E(step.Id, ActivityKind.EmailReplied),
            Bounced: E(step.Id, ActivityKind.EmailBounced), Unsubscribed: E(step.Id, ActivityKind.Unsubscribed),
            Failed: M(step.Id, MessageStatus.Failed) + M(step.Id, MessageStatus.Unknown), Suppressed: M(step.Id, MessageStatus.Suppressed),
            Waiting: waiting.Where(w => w.Step == step.Id).Sum(w => w.Count))).ToList();
    }

    /// <summary>
    /// Per A/B variant of each email step with variants: emails sent, and unique opens and clicks of
    /// those emails; every variant after the first is compared with the first by a two-proportion z-test.
    /// </summary>
    public async Task<IReadOnlyList<VariantStats>> VariantStatsAsync(string key, CancellationToken ct)
    {
        var s = await db.Sequences.AsNoTracking().FirstOrDefaultAsync(x => x.Key == key, ct) ?? throw new NotFoundException($"Sequence '{key}'");
        var versionId = await db.SequenceVersions.Where(v => v.SequenceId == s.Id && v.Version == s.CurrentVersion).Select(v => v.Id).SingleAsync(ct);
        var definition = await catalog.GetVersionAsync(db, versionId, ct);
        var steps = definition.Steps.Where(st => st.Variants is { Count: > 1 }).ToList();
        if (steps.Count == 0) return [];
        var stepIds = steps.Select(st => st.Id).ToList();
        var sentMessages = db.Messages.Where(m => m.SequenceId == s.Id && m.Status == MessageStatus.Sent && stepIds.Contains(m.StepId!))
            .Join(db.TemplateVersions, m => m.TemplateVersionId, v => v.Id, (m, v) => new { m.Id, m.StepId, v.TemplateId })
            .Join(db.Templates, x => x.TemplateId, t => t.Id, (x, t) => new { x.Id, x.StepId, Template = t.Key });
        var sent = await sentMessages.GroupBy(x => new { x.StepId, x.Template })
            .Select(g => new { g.Key.StepId, g.Key.Template, Count = g.Count() }).ToListAsync(ct);
        var engaged = await db.Activities.Where(a => a.SequenceId == s.Id && (a.Kind == ActivityKind.EmailOpened || a.Kind == ActivityKind.EmailClicked))
            .Join(sentMessages, a => a.MessageId, m => m.Id, (a, m) => new { a.Kind, m.StepId, m.Template, MessageId = m.Id })
            .GroupBy(x => new { x.StepId, x.Template, x.Kind })
            .Select(g => new { g.Key.StepId, g.Key.Template, g.Key.Kind, Messages = g.Select(x => x.MessageId).Distinct().Count() }).ToListAsync(ct);
        int Sent(string step, string template) => sent.Where(x => x.StepId == step && x.Template == template).Sum(x => x.Count);
        int Engaged(string step, string template, string kind) => engaged.Where(x => x.StepId == step && x.Template == template && x.Kind == kind).Sum(x => x.Messages);

        var result = new List<VariantStats>();
        foreach (var step in steps)
        {
            var first = step.Variants![0].Template;
            int sentA = Sent(step.Id, first), opensA = Engaged(step.Id, first, ActivityKind.EmailOpened), clicksA = Engaged(step.Id, first, ActivityKind.EmailClicked);
            foreach (var (variant, index) in step.Variants.Select((v, i) => (v, i)))
            {
                int n = Sent(step.Id, variant.Template), opens = Engaged(step.Id, variant.Template, ActivityKind.EmailOpened),
                    clicks = Engaged(step.Id, variant.Template, ActivityKind.EmailClicked);
                result.Add(new VariantStats(step.Id, variant.Template, variant.Weight, n, opens, clicks,
                    index == 0 ? null : Reports.TwoProportionTest.Compare(opensA, sentA, opens, n),
                    index == 0 ? null : Reports.TwoProportionTest.Compare(clicksA, sentA, clicks, n)));
            }
        }
        return result;
    }

    /// <summary>The sequences with their current version, one query; each definition read fresh (the runner's cache is shared).</summary>
    private async Task<List<SequenceDto>> ReadAsync(IQueryable<Sequence> sequences, CancellationToken ct) =>
        (await sequences.AsNoTracking()
            .Select(s => new { s.Key, s.Name, s.Status, s.CurrentVersion, Definition = s.Versions.Where(v => v.Version == s.CurrentVersion).Select(v => v.DefinitionJson).Single() })
            .ToListAsync(ct))
        .Select(s => new SequenceDto(s.Key, s.Name, s.Status, s.CurrentVersion, Json.Deserialize<SequenceDefinition>(s.Definition))).ToList();
}
