using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Rendering;

namespace NurtureEngine.Templates;

public sealed class TemplateInput
{
    public string? Name { get; set; }
    public string? Subject { get; set; }
    public string? Html { get; set; }
    public string? Text { get; set; }
    public string? Layout { get; set; }
}

public sealed record TemplateDto(string Key, string Name, string Subject, string Html, string? Text, string? Layout, int Version, DateTimeOffset UpdatedAt);
public sealed record PreviewDto(string Subject, string Html, string Text);

public sealed class PreviewInput
{
    public Guid? LeadId { get; set; }
    public LeadInput? Lead { get; set; }
}

public sealed class TemplateService(NurtureDbContext db, EmailComposer composer, TimeProvider clock)
{
    public async Task<(TemplateDto Template, bool Created)> PutAsync(string key, TemplateInput input, CancellationToken ct)
    {
        var errors = new Errors();
        if (!Slug.IsKey(key)) errors.Add("key", "must be a lowercase slug");
        if (input.Name is not null && InputLimits.NameProblem(input.Name) is { } nameProblem) errors.Add("name", nameProblem);
        if (string.IsNullOrWhiteSpace(input.Subject)) errors.Add("subject", "is required");
        else if (input.Subject.Length > InputLimits.MaxTitleChars) errors.Add("subject", $"must be at most {InputLimits.MaxTitleChars} characters");
        if (string.IsNullOrWhiteSpace(input.Html)) errors.Add("html", "is required");
        foreach (var (part, source) in new[] { ("subject", input.Subject), ("html", input.Html), ("text", input.Text) })
            foreach (var e in TemplateRenderer.Check(part, source))
                errors.Add(part, $"line {e.Line}, column {e.Column}: {e.Message}");
        if (input.Layout is not null && input.Layout != key && !await db.Templates.AnyAsync(t => t.Key == input.Layout, ct))
            errors.Add("layout", $"unknown layout template '{input.Layout}'");
        if (input.Layout == key) errors.Add("layout", "a template cannot be its own layout");
        errors.ThrowIfAny();

        // Another request may create the same key at the same moment: this one then becomes the next version.
        return await CreateRace.RetryAsync(db, async () =>
        {
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Locked: two saves of one template at once make two versions one after the other, not the same number twice.
            var template = (await db.Templates.FromSql($"SELECT * FROM nurture.email_template WHERE key = {key} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
            var created = template is null;
            if (template is null) db.Templates.Add(template = new EmailTemplate { Key = key, Name = input.Name ?? key, CreatedAt = now });
            template.Name = input.Name ?? template.Name;
            template.CurrentVersion++;
            template.UpdatedAt = now;
            var version = new TemplateVersion
            {
                Version = template.CurrentVersion, Name = template.Name, Subject = input.Subject!, Html = input.Html!,
                Text = input.Text, Layout = input.Layout, CreatedAt = now,
            };
            template.Versions.Add(version);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return (ToDto(template, version), created);
        });
    }

    public async Task<TemplateDto?> GetAsync(string key, CancellationToken ct)
    {
        var t = await db.Templates.AsNoTracking().FirstOrDefaultAsync(x => x.Key == key, ct);
        if (t is null) return null;
        var v = await db.TemplateVersions.AsNoTracking().SingleAsync(x => x.TemplateId == t.Id && x.Version == t.CurrentVersion, ct);
        return ToDto(t, v);
    }

    public async Task<IReadOnlyList<TemplateDto>> ListAsync(CancellationToken ct)
    {
        var rows = await db.Templates.AsNoTracking().OrderBy(t => t.Key)
            .Select(t => new { T = t, V = db.TemplateVersions.Single(v => v.TemplateId == t.Id && v.Version == t.CurrentVersion) })
            .ToListAsync(ct);
        return rows.Select(r => ToDto(r.T, r.V)).ToList();
    }

    /// <summary>Renders the current version for a stored lead or a sample lead; nothing is stored.</summary>
    public async Task<PreviewDto> PreviewAsync(string key, PreviewInput input, CancellationToken ct)
    {
        var version = await composer.LatestVersionAsync(key, ct) ?? throw new NotFoundException($"Template '{key}'");
        return ToPreview(await ComposeAsync(version, input, ct));
    }

    /// <summary>
    /// Renders an unsaved draft exactly as it would be sent (the admin editor's live preview). Parse
    /// errors come back as a 422 naming the part, line and column; nothing is stored.
    /// </summary>
    public async Task<PreviewDto> PreviewDraftAsync(TemplateInput draft, PreviewInput input, CancellationToken ct) =>
        ToPreview(await ComposeDraftAsync(draft, input, ct));

    /// <summary>The draft composed as sent, with its original link targets (for the linter).</summary>
    public async Task<ComposedEmail> ComposeDraftAsync(TemplateInput draft, PreviewInput input, CancellationToken ct)
    {
        var errors = new Errors();
        foreach (var (part, source) in new[] { ("subject", draft.Subject), ("html", draft.Html), ("text", draft.Text) })
            foreach (var e in TemplateRenderer.Check(part, source))
                errors.Add(part, $"line {e.Line}, column {e.Column}: {e.Message}");
        errors.ThrowIfAny();
        // Id 0: a draft is never cached by the renderer.
        var version = new TemplateVersion
        {
            Name = draft.Name ?? "draft", Subject = draft.Subject ?? "", Html = draft.Html ?? "", Text = draft.Text,
            Layout = string.IsNullOrWhiteSpace(draft.Layout) ? null : draft.Layout,
        };
        return await ComposeAsync(version, input, ct);
    }

    public async Task<IReadOnlyList<TemplateVersion>> VersionsAsync(string key, CancellationToken ct)
    {
        var id = await db.Templates.Where(t => t.Key == key).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct) ?? throw new NotFoundException($"Template '{key}'");
        return await db.TemplateVersions.AsNoTracking().Where(v => v.TemplateId == id).OrderByDescending(v => v.Version).ToListAsync(ct);
    }

    /// <summary>Restoring makes the old content the newest version: history is never rewritten.</summary>
    public async Task<TemplateDto> RestoreAsync(string key, int version, CancellationToken ct)
    {
        var old = (await VersionsAsync(key, ct)).FirstOrDefault(v => v.Version == version) ?? throw new NotFoundException($"Version {version} of template '{key}'");
        var (template, _) = await PutAsync(key, new TemplateInput { Name = old.Name, Subject = old.Subject, Html = old.Html, Text = old.Text, Layout = old.Layout }, ct);
        return template;
    }

    private static PreviewDto ToPreview(ComposedEmail email) => new(email.Subject, email.Html, email.Text);

    private async Task<ComposedEmail> ComposeAsync(TemplateVersion version, PreviewInput input, CancellationToken ct)
    {
        Lead lead;
        if (input.LeadId is { } id)
            lead = await db.Leads.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct) ?? throw new ValidationException("leadId", "unknown lead");
        else
        {
            var sample = input.Lead ?? new LeadInput();
            var email = sample.Email ?? "ada@example.com";
            lead = new Lead
            {
                Email = email, EmailNormalized = Lead.Normalize(email), FirstName = sample.FirstName ?? "Ada", LastName = sample.LastName ?? "Lovelace",
                Company = sample.Company, JobTitle = sample.JobTitle, Owner = sample.Owner, Source = sample.Source,
                TimeZone = sample.TimeZone, DealValue = sample.DealValue, Tags = sample.Tags ?? [], Attributes = sample.Attributes ?? new JsonObject(),
            };
        }
        try
        {
            return await composer.ComposeAsync(version, lead, Guid.Empty, marketing: true, ct);
        }
        catch (TemplateRenderException e)
        {
            throw new ValidationException(e.Error.Part, $"line {e.Error.Line}, column {e.Error.Column}: {e.Error.Message}");
        }
    }

    private static TemplateDto ToDto(EmailTemplate t, TemplateVersion v) => new(t.Key, t.Name, v.Subject, v.Html, v.Text, v.Layout, v.Version, t.UpdatedAt);
}
