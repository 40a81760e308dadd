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
