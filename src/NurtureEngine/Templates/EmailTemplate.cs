namespace NurtureEngine.Templates;

public sealed class EmailTemplate
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public int CurrentVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<TemplateVersion> Versions { get; set; } = [];
}

/// <summary>An immutable template revision; rendered output is cached per version id.</summary>
public sealed class TemplateVersion
{
    public long Id { get; set; }
    public long TemplateId { get; set; }
    public int Version { get; set; }
    public required string Name { get; set; }
    public required string Subject { get; set; }
    public required string Html { get; set; }
    public string? Text { get; set; }
    public string? Layout { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
