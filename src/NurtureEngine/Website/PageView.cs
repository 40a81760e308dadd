using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;

namespace NurtureEngine.Website;

/// <summary>
/// A page view of a visitor not yet known as a lead, kept <c>Nurture:Tracking:AnonymousDays</c>; when the
/// visitor is identified the views become <c>page_viewed</c> events on the lead's timeline and the rows go.
/// </summary>
public sealed class AnonymousPageView
{
    public long Id { get; set; }
    public required string VisitorId { get; set; }
    public required string Url { get; set; }
    public required string Path { get; set; }
    public string? Title { get; set; }
    public string? Referrer { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A first-party visitor id known to belong to a lead (from a form submission or a tracked email link).</summary>
public sealed class Visitor
{
    public required string Id { get; set; }
    public Guid LeadId { get; set; }
    public DateTimeOffset IdentifiedAt { get; set; }
}

sealed class AnonymousPageViewConfiguration : IEntityTypeConfiguration<AnonymousPageView>
{
    public void Configure(EntityTypeBuilder<AnonymousPageView> b)
    {
        b.HasIndex(v => new { v.VisitorId, v.At });
        b.HasIndex(v => v.At);
    }
}

sealed class VisitorConfiguration : IEntityTypeConfiguration<Visitor>
{
    public void Configure(EntityTypeBuilder<Visitor> b)
    {
        b.HasKey(v => v.Id);
        b.HasIndex(v => v.LeadId);
        b.HasOne<Lead>().WithMany().HasForeignKey(v => v.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
