namespace NurtureEngine.Pipelines;

public sealed class Pipeline
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public bool IsDefault { get; set; }
    public List<Stage> Stages { get; set; } = [];

    public IEnumerable<Stage> OrderedStages => Stages.OrderBy(s => s.Position);
}
