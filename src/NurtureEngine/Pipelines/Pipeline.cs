namespace NurtureEngine.Pipelines;

public sealed class Pipeline
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public bool IsDefault { get; set; }
    /// <summary>What moves through the stages: a lead's lifecycle (the default) or deals.</summary>
    public PipelineObject Object { get; set; } = PipelineObject.Lead;
    public List<Stage> Stages { get; set; } = [];

    public IEnumerable<Stage> OrderedStages => Stages.OrderBy(s => s.Position);
}

public enum PipelineObject { Lead, Deal }
