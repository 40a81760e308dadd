using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Pipelines;

public sealed record StageDto(string Key, string Name, int Probability, string Kind, System.Text.Json.Nodes.JsonNode? Handoff = null);
public sealed record PipelineDto(string Key, string Name, bool IsDefault, IReadOnlyList<StageDto> Stages, string Object = "lead");
public sealed class PipelineInput
{
    public string? Name { get; set; }
    /// <summary><c>lead</c> (the default: a lead's lifecycle) or <c>deal</c>.</summary>
    public string? Object { get; set; }
    public List<StageInput>? Stages { get; set; }
    /// <summary>Where leads of removed stages go; without it, removing an occupied stage is refused (409).</summary>
    public string? MoveLeadsTo { get; set; }
}
public sealed class StageInput
{
    public string? Key { get; set; }
    public string? Name { get; set; }
    public int? Probability { get; set; }
    public string? Kind { get; set; }
    /// <summary>Entering the stage hands the lead to a sales team member, who must accept it (issue 18).</summary>
    public Sales.HandoffRule? Handoff { get; set; }
}

public sealed class PipelineService(NurtureDbContext db)
{
    public async Task<IReadOnlyList<PipelineDto>> ListAsync(CancellationToken ct) =>
        (await db.Pipelines.AsNoTracking().Include(p => p.Stages).OrderBy(p => p.Id).ToListAsync(ct)).Select(ToDto).ToList();

    public async Task<PipelineDto?> GetAsync(string key, CancellationToken ct)
    {
        var p = await db.Pipelines.AsNoTracking().Include(x => x.Stages).FirstOrDefaultAsync(x => x.Key == key, ct);
        return p is null ? null : ToDto(p);
    }

    public async Task<(PipelineDto Pipeline, bool Created)> PutAsync(string key, PipelineInput input, CancellationToken ct)
    {
        Validate(key, input);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var pipeline = await db.Pipelines.Include(p => p.Stages).FirstOrDefaultAsync(p => p.Key == key, ct);
        var created = pipeline is null;
        var kind = input.Object is null ? pipeline?.Object ?? PipelineObject.Lead : Enum.Parse<PipelineObject>(input.Object, ignoreCase: true);
        if (pipeline is null)
        {
            var isDefault = kind == PipelineObject.Lead && !await db.Pipelines.AnyAsync(p => p.Object == PipelineObject.Lead, ct);
            pipeline = new Pipeline { Key = key, Name = input.Name!, IsDefault = isDefault, Object = kind };
            db.Pipelines.Add(pipeline);
        }
        else if (pipeline.Object != kind)
        {
            var pipelineId = pipeline.Id;
            if (await db.Leads.AnyAsync(l => l.PipelineId == pipelineId, ct) || await db.Deals.AnyAsync(d => d.PipelineId == pipelineId, ct))
                throw new ConflictException($"Pipeline '{key}' holds {pipeline.Object.ToString().ToLowerInvariant()}s: its object cannot change.");
            pipeline.Object = kind;
        }
        pipeline.Name = input.Name!;
        var wanted = input.Stages!;
        var removed = pipeline.Stages.Where(s => wanted.All(w => w.Key != s.Key)).ToList();
        if (removed.Count > 0)
        {
            var removedIds = removed.Select(s => s.Id).ToList();
            var occupied = await db.Leads.CountAsync(l => removedIds.Contains(l.StageId), ct)
                + await db.Deals.CountAsync(d => removedIds.Contains(d.StageId), ct);
            if (occupied > 0)
            {
                if (input.MoveLeadsTo is null)
                    throw new ConflictException($"{occupied} lead(s) are in stage(s) {string.Join(", ", removed.Select(s => s.Key))}; name moveLeadsTo to move them.");
                if (wanted.All(w => w.Key != input.MoveLeadsTo))
                    throw new ValidationException("moveLeadsTo", $"'{input.MoveLeadsTo}' is not one of the pipeline's stages");
            }
        }
        // Positions are unique per pipeline only logically: renumber after the kept stages.
        for (var i = 0; i < wanted.Count; i++)
        {
            var w = wanted[i];
            var stage = pipeline.Stages.FirstOrDefault(s => s.Key == w.Key);
            if (stage is null) pipeline.Stages.Add(stage = new Stage { Key = w.Key!, Name = w.Name! });
            stage.Name = w.Name ?? w.Key!;
            stage.Position = i;
            stage.Probability = w.Probability ?? 0;
            stage.Kind = Enum.Parse<StageKind>(w.Kind ?? "open", ignoreCase: true);
            stage.HandoffJson = w.Handoff is null ? null : Json.Serialize(w.Handoff);
        }
        await db.SaveChangesAsync(ct);
        if (removed.Count > 0)
        {
            var removedIds = removed.Select(s => s.Id).ToList();
            if (input.MoveLeadsTo is not null)
            {
                var target = pipeline.Stages.Single(s => s.Key == input.MoveLeadsTo);
                await db.Leads.Where(l => removedIds.Contains(l.StageId)).ExecuteUpdateAsync(u => u.SetProperty(l => l.StageId, target.Id), ct);
                await db.Deals.Where(d => removedIds.Contains(d.StageId)).ExecuteUpdateAsync(u => u.SetProperty(d => d.StageId, target.Id), ct);
            }
            foreach (var s in removed) pipeline.Stages.Remove(s);
            db.Stages.RemoveRange(removed);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return (ToDto(pipeline), created);
    }

    private static void Validate(string key, PipelineInput input)
    {
        var errors = new Errors();
        if (!Slug.IsKey(key)) errors.Add("key", "must be a lowercase slug");
        if (InputLimits.NameProblem(input.Name) is { } nameProblem) errors.Add("name", nameProblem);
        if (input.Object is not (null or "lead" or "deal")) errors.Add("object", "must be lead or deal");
        if (input.Stages is not { Count: > 0 }) errors.Add("stages", "at least one stage is required");
        else if (input.MoveLeadsTo is not null && input.Stages.All(s => s.Key != input.MoveLeadsTo))
            errors.Add("moveLeadsTo", $"'{input.MoveLeadsTo}' is not one of the pipeline's stages");
        var seen = new HashSet<string>();
        for (var i = 0; i < (input.Stages?.Count ?? 0); i++)
        {
            var s = input.Stages![i];
            if (!Slug.IsKey(s.Key)) errors.Add($"stages[{i}].key", "must be a lowercase slug");
            else if (!seen.Add(s.Key!)) errors.Add($"stages[{i}].key", $"'{s.Key}' appears twice");
            if (s.Name is not null && InputLimits.NameProblem(s.Name) is { } stageNameProblem) errors.Add($"stages[{i}].name", stageNameProblem);
            if (s.Probability is < 0 or > 100) errors.Add($"stages[{i}].probability", "must be between 0 and 100");
            if (s.Kind is not null && s.Kind is not ("open" or "won" or "lost")) errors.Add($"stages[{i}].kind", "must be open, won or lost");
            s.Handoff?.Validate($"stages[{i}].handoff", errors);
            if (s.Handoff?.RecycleTo is { } recycle && input.Stages.All(x => x.Key != recycle))
                errors.Add($"stages[{i}].handoff.recycleTo", $"'{recycle}' is not one of the pipeline's stages");
        }
        errors.ThrowIfAny();
    }

    private static PipelineDto ToDto(Pipeline p) => new(p.Key, p.Name, p.IsDefault,
        p.OrderedStages.Select(s => new StageDto(s.Key, s.Name, s.Probability, s.Kind.ToString().ToLowerInvariant(),
            s.HandoffJson is null ? null : System.Text.Json.Nodes.JsonNode.Parse(s.HandoffJson))).ToList(),
        p.Object.ToString().ToLowerInvariant());
}
