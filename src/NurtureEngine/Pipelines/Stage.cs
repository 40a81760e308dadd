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
}

public enum StageKind { Open, Won, Lost }
