using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Forms;

/// <summary>A form as the API returns it: the definition plus its key and times.</summary>
public sealed record FormDto(string Key, FormDefinition Definition, long Views, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public string? Name => Definition.Name;
}

/// <summary>Create, replace and read forms (the definition is validated whole; nothing is stored on a 422).</summary>
public sealed class FormService(NurtureDbContext db, TimeProvider clock)
{
    public async Task<(FormDto Form, bool Created)> PutAsync(string key, FormDefinition definition, CancellationToken ct)
    {
        var errors = new Errors();
        if (!Slug.IsKey(key)) errors.Add("key", "must be a lowercase slug");
        FormRules.Validate(definition, errors);
        await ValidateReferencesAsync(definition, errors, ct);
        errors.ThrowIfAny();
        definition.AllowedOrigins = definition.AllowedOrigins?.Select(FormRules.NormalizeOrigin).Distinct().ToList();
        definition.ConsentText = string.IsNullOrWhiteSpace(definition.ConsentText) ? null : definition.ConsentText;

        var now = clock.GetUtcNow();
        return await CreateRace.RetryAsync(db, async () =>
        {
            var form = await db.Set<Form>().FirstOrDefaultAsync(f => f.Key == key, ct);
            var created = form is null;
            if (form is null)
            {
                form = new Form { Key = key, Name = definition.Name!.Trim(), DefinitionJson = "{}", CreatedAt = now };
                db.Add(form);
            }
            form.Name = definition.Name!.Trim();
            form.DefinitionJson = Json.Serialize(definition);
            form.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            return (ToDto(form), created);
        });
    }

    public async Task<FormDto?> GetAsync(string key, CancellationToken ct) =>
        await db.Set<Form>().AsNoTracking().FirstOrDefaultAsync(f => f.Key == key, ct) is { } form ? ToDto(form) : null;

    public async Task<IReadOnlyList<FormDto>> ListAsync(CancellationToken ct) =>
        (await db.Set<Form>().AsNoTracking().OrderBy(f => f.Key).ToListAsync(ct)).Select(ToDto).ToList();

    public static FormDto ToDto(Form f) => new(f.Key, Json.Deserialize<FormDefinition>(f.DefinitionJson), f.Views, f.CreatedAt, f.UpdatedAt);

    private async Task ValidateReferencesAsync(FormDefinition d, Errors errors, CancellationToken ct)
    {
        if (d.ConfirmTemplate is { } template && Slug.IsKey(template) && !await db.Templates.AnyAsync(t => t.Key == template, ct))
            errors.Add("confirmTemplate", $"unknown template '{template}'");
        if (d.Pipeline is { } pipeline && Slug.IsKey(pipeline) && !await db.Pipelines.AnyAsync(p => p.Key == pipeline, ct))
            errors.Add("pipeline", $"unknown pipeline '{pipeline}'");
        if (d.Stage is { } stage && Slug.IsKey(stage) && (d.Pipeline is null || Slug.IsKey(d.Pipeline)))
        {
            var pipelineId = d.Pipeline is null
                ? await db.Pipelines.OrderByDescending(p => p.IsDefault).ThenBy(p => p.Id).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct)
                : await db.Pipelines.Where(p => p.Key == d.Pipeline).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
            var exists = await db.Stages.AnyAsync(s => s.Key == stage && s.PipelineId == pipelineId, ct);
            if (!exists) errors.Add("stage", $"unknown stage '{stage}' in pipeline '{d.Pipeline ?? "default"}'");
        }
    }
}
