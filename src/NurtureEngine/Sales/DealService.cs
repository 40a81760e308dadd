using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sales;

public sealed class DealInput
{
    public string? Name { get; set; }
    public string? LeadId { get; set; }
    public string? CompanyId { get; set; }
    public string? Pipeline { get; set; }
    public string? Stage { get; set; }
    public decimal? Amount { get; set; }
    public string? Currency { get; set; }
    public DateOnly? CloseDate { get; set; }
    public string? Owner { get; set; }
    public string? LostReason { get; set; }
}

public sealed class DealStageInput
{
    public string? Stage { get; set; }
    public string? LostReason { get; set; }
}

public sealed record DealDto(Guid Id, string Name, Guid LeadId, Guid? CompanyId, string Pipeline, string Stage, string Status,
    int Probability, decimal? Amount, string? Currency, DateOnly? CloseDate, string? Owner, string? LostReason,
    DateTimeOffset StageEnteredAt, DateTimeOffset? ClosedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record DealPage(IReadOnlyList<DealDto> Items, string? NextCursor);

public sealed record DealQuery(string? Pipeline = null, string? Stage = null, string? Owner = null, Guid? CompanyId = null,
    Guid? LeadId = null, string? Status = null, int Limit = 50, string? Cursor = null);

public static class DealActivity
{
    public const string Created = "deal_created", Updated = "deal_updated", StageChanged = "deal_stage_changed";
}

/// <summary>
/// Deals: made, edited and moved through a deal pipeline. Every change is a row on the timeline of
/// the deal's lead (its company's timeline reads those rows); a stage move locks the deal row first,
/// so concurrent moves of one deal are recorded one after the other, each from the stage the last left.
/// </summary>
public sealed class DealService(NurtureDbContext db, UnitOfWork work, TimelineWriter timeline, SequenceReactions reactions, TimeProvider clock)
{
    public const int MaxPage = 500;

    public async Task<DealDto> CreateAsync(DealInput input, string cause, CancellationToken ct)
    {
        var errors = new Errors();
        ValidateFields(input, errors, creating: true);
        var leadId = Guid.TryParse(input.LeadId, out var l) ? l : (Guid?)null;
        if (leadId is null) errors.Add("leadId", "a lead id is required");
        var companyId = ParseOptionalId(input.CompanyId, "companyId", errors);
        errors.ThrowIfAny();
        return await work.RunAsync(async c =>
        {
            var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(x => x.Id == leadId, c)
                ?? throw new ValidationException("leadId", "no lead has this id");
            if (companyId is not null && !await db.Companies.AnyAsync(x => x.Id == companyId, c))
                throw new ValidationException("companyId", "no company has this id");
            var stage = await ResolveStageAsync(input.Pipeline, input.Stage, c);
            RequireLostReason(stage, input.LostReason);
            var now = clock.GetUtcNow();
            var deal = new Deal
            {
                Name = input.Name!.Trim(), LeadId = lead.Id, CompanyId = companyId ?? lead.CompanyId, PipelineId = stage.PipelineId,
                StageId = stage.Id, Stage = stage, Amount = input.Amount, Currency = input.Currency?.Trim().ToUpperInvariant(), CloseDate = input.CloseDate,
                Owner = input.Owner?.Trim().ToLowerInvariant() ?? lead.Owner, StageEnteredAt = now, CreatedAt = now, UpdatedAt = now,
                LostReason = stage.Kind == StageKind.Lost ? input.LostReason!.Trim() : null,
                ClosedAt = stage.Kind == StageKind.Open ? null : now,
            };
            db.Deals.Add(deal);
            var pipeline = stage.Pipeline.Key;
            timeline.Add(lead.Id, DealActivity.Created, $"Deal \"{deal.Name}\" created in {stage.Name}{AmountText(deal)} ({cause})",
                new { dealId = deal.Id, deal = deal.Name, companyId = deal.CompanyId, pipeline, stage = stage.Key, amount = deal.Amount, currency = deal.Currency, cause });
            await db.SaveChangesAsync(c);
            await reactions.OnDealStageEnteredAsync(lead, pipeline, stage.Key, c);
            return ToDto(deal, pipeline, stage);
        }, ct);
    }

    /// <summary>Changes the fields given (omitted ones keep their value); a new <c>stage</c> is a stage move.</summary>
    public async Task<DealDto> UpdateAsync(Guid id, DealInput input, string cause, CancellationToken ct)
    {
        var errors = new Errors();
        ValidateFields(input, errors, creating: false);
        if (input.LeadId is not null) errors.Add("leadId", "a deal's lead cannot be changed; make a new deal");
        var companyId = ParseOptionalId(input.CompanyId, "companyId", errors);
        errors.ThrowIfAny();
        return await work.RunAsync(async c =>
        {
            var deal = await LockAsync(id, c);
            if (companyId is not null && !await db.Companies.AnyAsync(x => x.Id == companyId, c))
                throw new ValidationException("companyId", "no company has this id");
            var changed = new List<string>();
            void Set<T>(string name, T? value, T current, Action<T> apply)
            {
                if (value is null || EqualityComparer<T>.Default.Equals(value, current)) return;
                apply(value);
                changed.Add(name);
            }
            Set("name", input.Name?.Trim(), deal.Name, v => deal.Name = v);
            Set("amount", input.Amount, deal.Amount, v => deal.Amount = v);
            Set("currency", input.Currency?.Trim().ToUpperInvariant(), deal.Currency, v => deal.Currency = v);
            Set("closeDate", input.CloseDate, deal.CloseDate, v => deal.CloseDate = v);
            Set("owner", input.Owner?.Trim().ToLowerInvariant(), deal.Owner, v => deal.Owner = v);
            Set("companyId", companyId, deal.CompanyId, v => deal.CompanyId = v);
            var pipeline = await db.Pipelines.Where(p => p.Id == deal.PipelineId).Select(p => p.Key).SingleAsync(c);
            if (changed.Count > 0)
            {
                deal.UpdatedAt = clock.GetUtcNow();
                timeline.Add(deal.LeadId, DealActivity.Updated, $"Deal \"{deal.Name}\": updated {string.Join(", ", changed)} ({cause})",
                    new { dealId = deal.Id, deal = deal.Name, companyId = deal.CompanyId, pipeline, fields = changed, cause });
                await db.SaveChangesAsync(c);
            }
            if (input.Stage is not null || input.Pipeline is not null)
                await MoveLockedAsync(deal, input.Pipeline ?? pipeline, input.Stage, input.LostReason, cause, c);
            return await ToDtoAsync(deal, c);
        }, ct);
    }

    public async Task<DealDto> ChangeStageAsync(Guid id, DealStageInput input, string cause, CancellationToken ct)
    {
        if (!Slug.IsKey(input.Stage)) throw new ValidationException("stage", "a stage key is required");
        if (input.LostReason is not null && InputLimits.NameProblem(input.LostReason, InputLimits.MaxReasonChars) is { } problem) throw new ValidationException("lostReason", problem);
        return await work.RunAsync(async c =>
        {
            var deal = await LockAsync(id, c);
            var pipeline = await db.Pipelines.Where(p => p.Id == deal.PipelineId).Select(p => p.Key).SingleAsync(c);
            await MoveLockedAsync(deal, pipeline, input.Stage, input.LostReason, cause, c);
            return await ToDtoAsync(deal, c);
        }, ct);
    }

    public async Task<DealDto?> GetAsync(Guid id, CancellationToken ct)
    {
        var deal = await db.Deals.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        return deal is null ? null : await ToDtoAsync(deal, ct);
    }

    public async Task<IReadOnlyList<DealDto>> ListAsync(DealQuery q, CancellationToken ct) => (await PageAsync(q, ct)).Items;

    public async Task<DealPage> PageAsync(DealQuery q, CancellationToken ct)
    {
        if (q.Limit is < 1 or > MaxPage) throw new ValidationException("limit", $"must be between 1 and {MaxPage}");
        var query = db.Deals.AsNoTracking().AsQueryable();
        if (q.Pipeline is not null)
        {
            var pipelineId = await db.Pipelines.Where(p => p.Key == q.Pipeline).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct) ?? -1;
            query = query.Where(d => d.PipelineId == pipelineId);
        }
        if (q.Stage is not null) query = query.Where(d => d.Stage.Key == q.Stage);
        if (q.Owner is not null) { var owner = q.Owner.Trim().ToLowerInvariant(); query = query.Where(d => d.Owner == owner); }
        if (q.CompanyId is { } companyId) query = query.Where(d => d.CompanyId == companyId);
        if (q.LeadId is { } leadId) query = query.Where(d => d.LeadId == leadId);
        if (q.Status is not null)
        {
            if (!Enum.TryParse<StageKind>(q.Status, ignoreCase: true, out var kind) || q.Status.Any(char.IsDigit))
                throw new ValidationException("status", "must be open, won or lost");
            query = query.Where(d => d.Stage.Kind == kind);
        }
        if (q.Cursor is not null)
        {
            if (!Guid.TryParse(q.Cursor, out var after)) throw new ValidationException("cursor", "is not a cursor returned by this API");
            query = query.Where(d => d.Id.CompareTo(after) > 0);
        }
        var rows = await query.OrderBy(d => d.Id).Take(q.Limit + 1)
            .Select(d => new { Deal = d, Pipeline = db.Pipelines.Where(p => p.Id == d.PipelineId).Select(p => p.Key).First(), d.Stage }).ToListAsync(ct);
        var items = rows.Take(q.Limit).Select(r => ToDto(r.Deal, r.Pipeline, r.Stage)).ToList();
        return new DealPage(items, rows.Count > q.Limit ? items[^1].Id.ToString() : null);
    }

    private async Task<Deal> LockAsync(Guid id, CancellationToken ct) =>
        await db.Deals.ForUpdate().FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw new NotFoundException("Deal");

    /// <summary>The move itself, on a deal the caller holds locked. Moving to the current stage changes nothing.</summary>
    private async Task MoveLockedAsync(Deal deal, string pipelineKey, string? stageKey, string? lostReason, string cause, CancellationToken ct)
    {
        var to = await ResolveStageAsync(pipelineKey, stageKey, ct);
        if (to.Id == deal.StageId) return;
        RequireLostReason(to, lostReason);
        var from = await db.Stages.AsNoTracking().SingleAsync(s => s.Id == deal.StageId, ct);
        var now = clock.GetUtcNow();
        deal.PipelineId = to.PipelineId;
        deal.StageId = to.Id;
        deal.StageEnteredAt = now;
        deal.UpdatedAt = now;
        deal.LostReason = to.Kind == StageKind.Lost ? lostReason!.Trim() : null;
        deal.ClosedAt = to.Kind == StageKind.Open ? null : now;
        var pipeline = to.Pipeline.Key;
        var reason = deal.LostReason is null ? "" : $": {deal.LostReason}";
        timeline.Add(deal.LeadId, DealActivity.StageChanged, $"Deal \"{deal.Name}\" moved from {from.Name} to {to.Name}{reason} ({cause})",
            new { dealId = deal.Id, deal = deal.Name, companyId = deal.CompanyId, pipeline, from = from.Key, to = to.Key, cause, lostReason = deal.LostReason, amount = deal.Amount });
        await db.SaveChangesAsync(ct);
        var lead = await db.Leads.ForUpdate().SingleAsync(l => l.Id == deal.LeadId, ct);
        await reactions.OnDealStageEnteredAsync(lead, pipeline, to.Key, ct);
    }

    private static void RequireLostReason(Stage stage, string? lostReason)
    {
        if (stage.Kind == StageKind.Lost && string.IsNullOrWhiteSpace(lostReason))
            throw new ValidationException("lostReason", $"is required to move a deal to {stage.Name} (a lost stage)");
    }

    /// <summary>A stage of a deal pipeline (the first deal pipeline when none is named; its first stage when no stage is).</summary>
    public async Task<Stage> ResolveStageAsync(string? pipelineKey, string? stageKey, CancellationToken ct)
    {
        var pipeline = pipelineKey is null
            ? await db.Pipelines.Include(p => p.Stages).Where(p => p.Object == PipelineObject.Deal).OrderBy(p => p.Id).FirstOrDefaultAsync(ct)
            : await db.Pipelines.Include(p => p.Stages).FirstOrDefaultAsync(p => p.Key == pipelineKey, ct);
        if (pipeline is null)
            throw new ValidationException("pipeline", pipelineKey is null ? "no deal pipeline exists yet: make one with \"object\": \"deal\"" : $"unknown pipeline '{pipelineKey}'");
        if (pipeline.Object != PipelineObject.Deal)
            throw new ValidationException("pipeline", $"'{pipeline.Key}' is a lead pipeline; deals move through pipelines with \"object\": \"deal\"");
        if (stageKey is null) return pipeline.OrderedStages.First();
        return pipeline.Stages.FirstOrDefault(s => s.Key == stageKey)
            ?? throw new ValidationException("stage", $"unknown stage '{stageKey}' in pipeline '{pipeline.Key}'");
    }

    private async Task<DealDto> ToDtoAsync(Deal deal, CancellationToken ct)
    {
        var stage = await db.Stages.AsNoTracking().Include(s => s.Pipeline).SingleAsync(s => s.Id == deal.StageId, ct);
        return ToDto(deal, stage.Pipeline.Key, stage);
    }

    private static DealDto ToDto(Deal d, string pipeline, Stage stage) => new(d.Id, d.Name, d.LeadId, d.CompanyId, pipeline, stage.Key,
        stage.Kind.ToString().ToLowerInvariant(), stage.Probability, d.Amount, d.Currency, d.CloseDate, d.Owner, d.LostReason,
        d.StageEnteredAt, d.ClosedAt, d.CreatedAt, d.UpdatedAt);

    private static string AmountText(Deal d) => d.Amount is { } a ? $", {a:0.##} {d.Currency}".TrimEnd() : "";

    private static Guid? ParseOptionalId(string? value, string field, Errors errors)
    {
        if (value is null) return null;
        if (Guid.TryParse(value, out var g)) return g;
        errors.Add(field, "is not an id");
        return null;
    }

    private static void ValidateFields(DealInput input, Errors errors, bool creating)
    {
        if (creating || input.Name is not null)
            if (InputLimits.NameProblem(input.Name) is { } p) errors.Add("name", p);
        if (input.Amount is < 0 or > InputLimits.MaxDealValue) errors.Add("amount", $"must be between 0 and {InputLimits.MaxDealValue:0}");
        if (input.Currency is not null && !System.Text.RegularExpressions.Regex.IsMatch(input.Currency.Trim(), "^[A-Za-z]{3}$"))
            errors.Add("currency", "must be an ISO 4217 code such as EUR");
        if (input.Owner is not null && !EmailAddress.IsValid(input.Owner)) errors.Add("owner", "must be an email address");
        if (input.Pipeline is not null && !Slug.IsKey(input.Pipeline)) errors.Add("pipeline", "must be a pipeline key");
        if (input.Stage is not null && !Slug.IsKey(input.Stage)) errors.Add("stage", "must be a stage key");
        if (input.LostReason is not null && InputLimits.NameProblem(input.LostReason, InputLimits.MaxReasonChars) is { } lp) errors.Add("lostReason", lp);
        if (input.CloseDate is { } d && (d.Year < 1900 || d.Year > 2200)) errors.Add("closeDate", "must be a date between 1900 and 2200");
    }
}
