namespace NurtureEngine.Scoring;

/// <summary>Scoring rules, decay and stage thresholds (API.md "Scoring and stage rules").</summary>
public sealed class ScoringConfig
{
    public List<ScoringRule> Rules { get; set; } = [];
    public ScoreDecay? Decay { get; set; }
    public List<StageThreshold> Thresholds { get; set; } = [];
}

public sealed class ScoringRule
{
    public string Event { get; set; } = "";
    public int Points { get; set; }
    /// <summary>Only events whose properties match every entry (glob <c>*</c>, ignoring case), e.g. <c>{ "path": "/pricing*" }</c>.</summary>
    public Dictionary<string, string>? Where { get; set; }
}

public sealed class ScoreDecay
{
    public int Percent { get; set; }
    public string Every { get; set; } = "P30D";
}

public sealed class StageThreshold
{
    public string Pipeline { get; set; } = "default";
    public string FromStage { get; set; } = "";
    public int Score { get; set; }
    public string Stage { get; set; } = "";
}
