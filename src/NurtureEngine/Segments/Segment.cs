namespace NurtureEngine.Segments;

/// <summary>A saved filter in the condition language; membership is kept current as leads change.</summary>
public sealed class Segment
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public required string FilterJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A lead in a segment, since when. Unique per (segment, lead).</summary>
public sealed class SegmentMember
{
    public long SegmentId { get; set; }
    public Guid LeadId { get; set; }
    public DateTimeOffset Since { get; set; }
}
