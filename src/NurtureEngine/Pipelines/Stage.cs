namespace NurtureEngine.Pipelines;

public sealed class Stage
{
    public long Id { get; set; }
    public long PipelineId { get; set; }
    public Pipeline Pipeline { get; set; } = null!;
    public required string Key { get; set; }
    public required string Name { get; set; }
    public int Position { get; set; }
    /// <summary>Win probability, 0–100.</summary>
    public int Probability { get; set; }
    public StageKind Kind { get; set; } = StageKind.Open;
    /// <summary>A <see cref="Sales.HandoffRule"/> as JSON, when entering the stage needs sales to accept the lead.</summary>
    public string? HandoffJson { get; set; }
    /// <summary>Round-robin counter of the hand-off (taken by one UPDATE, so concurrent entries take turns).</summary>
    public long HandoffTurn { get; set; }
}

public enum StageKind { Open, Won, Lost }
