using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Pipelines;
using NurtureEngine.Timeline;

namespace NurtureEngine.Leads;

/// <summary>Create, update and move leads: the application service behind the API and the admin.</summary>
public sealed class LeadService(
    NurtureDbContext db, UnitOfWork work, TimelineWriter timeline, StageMover stages, SequenceReactions reactions, TimeProvider clock)
{
    public sealed record UpsertResult(LeadDto Lead, bool Created);

    public async Task<UpsertResult> UpsertAsync(LeadInput input, string cause, CancellationToken ct)
    {
        Validate(input, clock.GetUtcNow());
        // Another request may create the same email at the same moment: this one then becomes the update.
        return await CreateRace.RetryAsync(db, () => work.RunAsync(async c =>
        {
            var stage = await ResolveStageAsync(input.Pipeline, input.Stage, c);
            var (lead, created) = await UpsertInTransactionAsync(input, stage, cause, c);
            return new UpsertResult(await ToDtoAsync(lead, c), created);
        }, ct));
    }

    /// <summary>The upsert inside the caller's unit of work (a form submission adds its own rows to the same transaction).</summary>
    public async Task<(Lead Lead, bool Created)> UpsertInUnitAsync(LeadInput input, string cause, CancellationToken ct)
    {
        Validate(input, clock.GetUtcNow());
        return await UpsertInTransactionAsync(input, await ResolveStageAsync(input.Pipeline, input.Stage, ct), cause, ct);
    }

    /// <summary>Finds the lead by email or creates it (events for unknown emails create the lead).</summary>
    public async Task<Lead> FindOrCreateAsync(string email, CancellationToken ct)
    {
        var normalized = Lead.Normalize(email);
        var existing = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.EmailNormalized == normalized, ct);
        if (existing is not null) return existing;
        var (lead, _) = await UpsertInTransactionAsync(new LeadInput { Email = email }, await ResolveStageAsync(null, null, ct), StageChangeCause.Api, ct);
        return lead;
    }

    public async Task<LeadDto> ChangeStageAsync(Guid leadId, string stageKey, string? pipelineKey, string cause, CancellationToken ct) =>
        await work.RunAsync(async c =>
        {
            var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == leadId, c) ?? throw new NotFoundException("Lead");
            pipelineKey ??= await db.Pipelines.Where(p => p.Id == lead.PipelineId).Select(p => p.Key).SingleAsync(c);
            var stage = await ResolveStageAsync(pipelineKey, stageKey, c);
            await stages.MoveAsync(lead, stage, cause, forwardOnly: false, c);
            return await ToDtoAsync(lead, c);
        }, ct);

    public async Task<LeadDto?> GetAsync(Guid id, CancellationToken ct)
    {
        var lead = await db.Leads.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct);
        return lead is null ? null : await ToDtoAsync(lead, ct);
    }

    public async Task<IReadOnlyList<TimelineEntry>> TimelineAsync(Guid id, int limit, CancellationToken ct)
    {
        if (!await db.Leads.AnyAsync(l => l.Id == id, ct)) throw new NotFoundException("Lead");
        var rows = await db.Activities.AsNoTracking().Where(a => a.LeadId == id)
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(limit).ToListAsync(ct);
        return rows.Select(a => new TimelineEntry(a.At, a.Kind, a.Summary, JsonNode.Parse(a.DataJson), a.MessageId)).ToList();
    }

    /// <summary>Below this many matches, a tag-filtered list is read by id instead of walking an id-ordered index.</summary>
    private const int FewMatches = 1_000;

    public async Task<LeadPage> ListAsync(LeadQuery q, CancellationToken ct) =>
        await KeysetPage.ReadAsync(db, await FilteredAsync(q, ct), q.Limit, q.Cursor, ct, q.Sort);

    /// <summary>How many leads match the query's filters, counted up to <paramref name="cap"/> + 1 (a list shows "more than cap").</summary>
    public async Task<int> CountAsync(LeadQuery q, int cap, CancellationToken ct) =>
        await (await FilteredAsync(q, ct)).Take(cap + 1).CountAsync(ct);

    private async Task<IQueryable<Lead>> FilteredAsync(LeadQuery q, CancellationToken ct)
    {
        var query = db.Leads.AsNoTracking().AsQueryable();
        if (q.Email is not null) { var e = Lead.Normalize(q.Email); query = query.Where(l => l.EmailNormalized == e); }
        // Keys are resolved to ids first: "stage_id = X" (not a join on the key) lets PostgreSQL walk
        // the (stage_id, id) and (owner, stage_id, id) indexes in id order, fast even when nothing matches.
        if (q.Pipeline is not null)
        {
            var pipelineId = await db.Pipelines.Where(p => p.Key == q.Pipeline).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct) ?? -1;
            query = query.Where(l => l.PipelineId == pipelineId);
        }
        if (q.Stage is not null)
        {
            var stageIds = await db.Stages.Where(s => s.Key == q.Stage && (q.Pipeline == null || s.Pipeline.Key == q.Pipeline)).Select(s => s.Id).ToListAsync(ct);
            if (stageIds.Count == 1) { var stageId = stageIds[0]; query = query.Where(l => l.StageId == stageId); }
            else query = query.Where(l => stageIds.Contains(l.StageId));
        }
        if (q.MinScore is { } min) query = query.Where(l => l.Score >= min);
        if (q.MaxScore is { } max) query = query.Where(l => l.Score <= max);
        if (q.Owner is not null) query = query.Where(l => l.Owner == q.Owner);
        if (q.Tag is not null)
        {
            // Written so it translates to "tags @> ARRAY[tag]", which the GIN index on tags serves ("tag = ANY(tags)" cannot).
            var wanted = new List<string> { q.Tag };
            query = query.Where(l => wanted.All(t => l.Tags.Contains(t)));
        }
        if (q.Status is not null)
        {
            if (!Enum.TryParse<LeadStatus>(q.Status, ignoreCase: true, out var status)) throw new ValidationException("status", "must be subscribed, unsubscribed, bounced, complained or pending");
            query = query.Where(l => l.Status == status);
        }
        if (!string.IsNullOrWhiteSpace(q.Q))
        {
            var pattern = "%" + q.Q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(l => EF.Functions.ILike(l.Email, pattern) || EF.Functions.ILike(l.FirstName!, pattern)
                || EF.Functions.ILike(l.LastName!, pattern) || EF.Functions.ILike(l.Company!, pattern));
        }
        if (q.Tag is not null)
        {
            // The planner cannot tell a rare tag from a common one, so for "ORDER BY id LIMIT n" it walks an
            // id-ordered index and filters: fine when matches are dense (a page fills fast), a scan of every
            // lead when they are few or none (8-11 s at 1M). So first ask for the matches without an order,
            // bounded (the GIN index, ANDed with the others): when there are few, list them by id.
            var few = await query.Select(l => l.Id).Take(FewMatches).ToListAsync(ct);
            if (few.Count < FewMatches) query = db.Leads.AsNoTracking().Where(l => few.Contains(l.Id));
        }
        return query;
    }

    public async Task<LeadDto> ToDtoAsync(Lead lead, CancellationToken ct)
    {
        var keys = await db.Stages.Where(s => s.Id == lead.StageId).Select(s => new { Pipeline = s.Pipeline.Key, s.Key }).SingleAsync(ct);
        var company = lead.CompanyId is null ? null
            : await db.Companies.Where(c => c.Id == lead.CompanyId).Select(c => new Sales.CompanyRef(c.Id, c.Name, c.Domain)).FirstOrDefaultAsync(ct);
        return LeadDto.From(lead, keys.Pipeline, keys.Key, company);
    }

    /// <summary>The leads of a company, in id order (its page and API answer).</summary>
    public async Task<IReadOnlyList<LeadDto>> ListByCompanyAsync(Guid companyId, int limit, CancellationToken ct) =>
        (await KeysetPage.ReadAsync(db, db.Leads.AsNoTracking().Where(l => l.CompanyId == companyId), limit, null, ct)).Items;

    private async Task<(Lead, bool)> UpsertInTransactionAsync(LeadInput input, Stage? stage, string cause, CancellationToken ct)
    {
        var normalized = Lead.Normalize(input.Email!);
        var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.EmailNormalized == normalized, ct);
        var now = clock.GetUtcNow();
        if (lead is null)
        {
            stage ??= await ResolveStageAsync(null, null, ct);
            lead = new Lead
            {
                Email = input.Email!.Trim(), EmailNormalized = normalized, CreatedAt = now, UpdatedAt = now,
                PipelineId = stage.PipelineId, StageId = stage.Id, StageEnteredAt = now,
            };
            Merge(lead, input);
            db.Leads.Add(lead);
            timeline.Add(lead.Id, ActivityKind.Created, $"Lead created{(lead.Source is null ? "" : $" from {lead.Source}")}",
                new { source = lead.Source, cause });
            RecordConsent(lead, input.Consent, now);
            await db.SaveChangesAsync(ct);
            await stages.EnterFirstStageAsync(lead, stage, ct);
            await reactions.OnLeadCreatedAsync(lead, ct);
            await reactions.OnTagsAddedAsync(lead, lead.Tags, ct);
            return (lead, true);
        }

        var tagsBefore = lead.Tags.ToList();
        if (input.Consent is not null)
        {
            RecordConsent(lead, input.Consent, now);
            await db.SaveChangesAsync(ct);
        }
        var changed = Merge(lead, input);
        if (changed.Count > 0)
        {
            lead.UpdatedAt = now;
            timeline.Add(lead.Id, ActivityKind.Updated, $"Updated {string.Join(", ", changed)}", new { fields = changed, cause });
            await db.SaveChangesAsync(ct);
            await reactions.OnTagsAddedAsync(lead, lead.Tags.Except(tagsBefore), ct);
            await reactions.LeadChangedAsync(lead, ct);
        }
        if (input.Stage is not null && stage is not null)
            await stages.MoveAsync(lead, stage, cause == StageChangeCause.Created ? StageChangeCause.Api : cause, forwardOnly: false, ct);
        return (lead, false);
    }

    private void RecordConsent(Lead lead, ConsentInput? consent, DateTimeOffset now)
    {
        if (consent is null) return;
        var at = consent.At ?? now;
        timeline.Add(lead.Id, ActivityKind.ConsentGiven, $"Consent given via {consent.Source!.Trim()}",
            new { source = consent.Source.Trim(), text = consent.Text, ip = consent.Ip, at }, at: at);
    }

    /// <summary>Merges input into the lead; returns the names of fields that changed.</summary>
    private static List<string> Merge(Lead lead, LeadInput input)
    {
        var changed = new List<string>();
        void Set<T>(string name, T? value, T current, Action<T> apply)
        {
            if (value is null || EqualityComparer<T>.Default.Equals(value, current)) return;
            apply(value);
            changed.Add(name);
        }
        Set("firstName", input.FirstName?.Trim(), lead.FirstName, v => lead.FirstName = v);
        Set("lastName", input.LastName?.Trim(), lead.LastName, v => lead.LastName = v);
        Set("company", input.Company?.Trim(), lead.Company, v => lead.Company = v);
        Set("jobTitle", input.JobTitle?.Trim(), lead.JobTitle, v => lead.JobTitle = v);
        Set("phone", input.Phone?.Trim(), lead.Phone, v => lead.Phone = v);
        Set("timeZone", input.TimeZone, lead.TimeZone, v => lead.TimeZone = v);
        Set("source", input.Source, lead.Source, v => lead.Source = v);
        if (input.Source is { } touch) lead.LastTouchSource = touch;
        Set("dealValue", input.DealValue, lead.DealValue, v => lead.DealValue = v);
        Set("owner", input.Owner?.Trim().ToLowerInvariant(), lead.Owner, v => lead.Owner = v);
        var newTags = (input.Tags ?? []).Where(t => !lead.Tags.Contains(t)).Distinct().ToList();
        // The limits hold for the lead, not only for one call: tags and attributes added call by call add up.
        if (lead.Tags.Count + newTags.Count > InputLimits.MaxTagsOnLead)
            throw new ValidationException("tags", $"a lead has at most {InputLimits.MaxTagsOnLead} tags; this one has {lead.Tags.Count}");
        if (newTags.Count > 0) { lead.Tags = [.. lead.Tags, .. newTags]; changed.Add("tags"); }
        if (input.Attributes is { Count: > 0 } attributes)
        {
            var merged = lead.Attributes;
            foreach (var (key, value) in attributes)
            {
                if (value is null) merged.Remove(key);
                else merged[key] = value.DeepClone();
            }
            var json = merged.ToJsonString();
            if (json.Length > InputLimits.MaxAttributesJsonCharsOnLead && json.Length > lead.AttributesJson.Length)
                throw new ValidationException("attributes", $"a lead's attributes are at most {InputLimits.MaxAttributesJsonCharsOnLead} characters of JSON together");
            if (json != lead.AttributesJson) { lead.Attributes = merged; changed.Add("attributes"); }
        }
        return changed;
    }

    /// <summary>The stage a lead created without one enters: the first of the default lead pipeline.</summary>
    public Task<Stage> FirstStageAsync(CancellationToken ct) => ResolveStageAsync(null, null, ct);

    private async Task<Stage> ResolveStageAsync(string? pipelineKey, string? stageKey, CancellationToken ct)
    {
        var pipeline = pipelineKey is null
            ? await db.Pipelines.Include(p => p.Stages).Where(p => p.Object == PipelineObject.Lead).OrderByDescending(p => p.IsDefault).ThenBy(p => p.Id).FirstOrDefaultAsync(ct)
            : await db.Pipelines.Include(p => p.Stages).FirstOrDefaultAsync(p => p.Key == pipelineKey, ct);
        if (pipeline is null)
            throw pipelineKey is null ? new ConflictException("No pipeline exists yet: create one first.") : new ValidationException("pipeline", $"unknown pipeline '{pipelineKey}'");
        if (pipeline.Object != PipelineObject.Lead)
            throw new ValidationException("pipeline", $"'{pipeline.Key}' is a deal pipeline: leads move through lead pipelines, deals through deal pipelines");
        if (stageKey is null) return pipeline.OrderedStages.First();
        return pipeline.Stages.FirstOrDefault(s => s.Key == stageKey)
            ?? throw new ValidationException("stage", $"unknown stage '{stageKey}' in pipeline '{pipeline.Key}'");
    }

    private static void Validate(LeadInput input, DateTimeOffset now)
    {
        var errors = new Errors();
        if (!EmailAddress.IsValid(input.Email)) errors.Add("email", "a valid email address is required");
        if (input.Owner is not null && !EmailAddress.IsValid(input.Owner)) errors.Add("owner", "must be an email address");
        if (input.TimeZone is not null && !InputLimits.IsIanaTimeZone(input.TimeZone)) errors.Add("timeZone", "must be an IANA time zone such as Europe/London");
        if (input.DealValue is < 0 or > InputLimits.MaxDealValue) errors.Add("dealValue", $"must be between 0 and {InputLimits.MaxDealValue:0}");
        if (input.Tags is { Count: > InputLimits.MaxTagsPerLead }) errors.Add("tags", $"at most {InputLimits.MaxTagsPerLead} tags");
        foreach (var tag in input.Tags ?? []) if (!Slug.IsName(tag)) errors.Add("tags", $"'{tag}' is not a tag name (lowercase letters, digits, _ . -)");
        if (input.Stage is not null && !Slug.IsKey(input.Stage)) errors.Add("stage", "must be a stage key");
        if (input.Pipeline is not null && !Slug.IsKey(input.Pipeline)) errors.Add("pipeline", "must be a pipeline key");
        const int text = InputLimits.MaxLeadTextChars;
        foreach (var (name, value, max) in new[] { ("firstName", input.FirstName, text), ("lastName", input.LastName, text), ("company", input.Company, text),
                     ("jobTitle", input.JobTitle, text), ("phone", input.Phone, InputLimits.MaxPhoneChars), ("source", input.Source, text) })
        {
            if (value is null) continue;
            if (value.Length > max) errors.Add(name, $"must be at most {max} characters");
            if (value.Any(ch => ch is '\r' or '\n' || char.IsControl(ch))) errors.Add(name, "must not contain line breaks or control characters");
        }
        if (input.Attributes is { } attrs && attrs.ToJsonString().Length > InputLimits.MaxAttributesJsonChars) errors.Add("attributes", $"must be at most {InputLimits.MaxAttributesJsonChars} characters of JSON");
        input.Consent?.Validate(errors, now);
        errors.ThrowIfAny();
    }
}
