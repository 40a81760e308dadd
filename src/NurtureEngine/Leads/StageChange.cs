namespace NurtureEngine.Leads;

/// <summary>One row per stage change: the source of funnel, time-in-stage and velocity reports.</summary>
public sealed class StageChange
{
    public long Id { get; set; }
    public Guid LeadId { get; set; }
    public long PipelineId { get; set; }
    public long? FromStageId { get; set; }
    public long ToStageId { get; set; }
    public required string Cause { get; set; }
    public DateTimeOffset At { get; set; }

    // Kept up to date by StageMover when the lead's next change is recorded, so the funnel report
    // reads one index range instead of window functions over the whole history (bench/RESULTS.md).
    /// <summary>When the lead's next change in this pipeline happened: the end of this stint.</summary>
    public DateTimeOffset? LeftAt { get; set; }
    /// <summary>The lead later entered a later stage of this pipeline.</summary>
    public bool Converted { get; set; }
    /// <summary>When the lead last entered this same stage before this change (null: first time).</summary>
    public DateTimeOffset? PreviousEntryAt { get; set; }
}

public static class StageChangeCause
{
    public const string Created = "created";
    public const string Api = "api";
    public const string Admin = "admin";
    public const string Import = "import";
    public const string Score = "score";
    public const string Sequence = "sequence";
}
