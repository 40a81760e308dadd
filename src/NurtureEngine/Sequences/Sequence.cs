namespace NurtureEngine.Sequences;

public sealed class Sequence
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public SequenceStatus Status { get; set; } = SequenceStatus.Active;
    public int CurrentVersion { get; set; }
    /// <summary>Trigger of the current version, denormalised so trigger matching is one indexed query.</summary>
    public string TriggerType { get; set; } = "";
    public string? TriggerKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<SequenceVersion> Versions { get; set; } = [];
}

public enum SequenceStatus { Active, Paused }

/// <summary>An immutable definition. Enrollments point at the version they entered.</summary>
public sealed class SequenceVersion
{
    public long Id { get; set; }
    public long SequenceId { get; set; }
    public int Version { get; set; }
    public required string DefinitionJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
