using NurtureEngine.Pipelines;

namespace NurtureEngine.Sales;

/// <summary>A sales opportunity of a lead (and its company) moving through a pipeline whose object is <c>deal</c>.</summary>
public sealed class Deal
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public Guid LeadId { get; set; }
    public Guid? CompanyId { get; set; }
    public long PipelineId { get; set; }
    public long StageId { get; set; }
    public Stage Stage { get; set; } = null!;
    public decimal? Amount { get; set; }
    /// <summary>ISO 4217 code, upper case.</summary>
    public string? Currency { get; set; }
    public DateOnly? CloseDate { get; set; }
    public string? Owner { get; set; }
    public string? LostReason { get; set; }
    public DateTimeOffset StageEnteredAt { get; set; }
    /// <summary>When the deal entered a won or lost stage (null while open): the end of its sales cycle.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
