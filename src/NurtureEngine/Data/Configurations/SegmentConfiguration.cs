using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;
using NurtureEngine.Segments;

namespace NurtureEngine.Data.Configurations;

sealed class SegmentConfiguration : IEntityTypeConfiguration<Segment>
{
    public void Configure(EntityTypeBuilder<Segment> b)
    {
        b.HasIndex(s => s.Key).IsUnique();
        b.Property(s => s.FilterJson).HasColumnName("filter").HasColumnType("jsonb");
    }
}

sealed class SegmentMemberConfiguration : IEntityTypeConfiguration<SegmentMember>
{
    public void Configure(EntityTypeBuilder<SegmentMember> b)
    {
        b.HasKey(m => new { m.SegmentId, m.LeadId });
        b.HasIndex(m => m.LeadId);
        b.HasOne<Segment>().WithMany().HasForeignKey(m => m.SegmentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Lead>().WithMany().HasForeignKey(m => m.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class SegmentRecheckConfiguration : IEntityTypeConfiguration<SegmentRecheck>
{
    public void Configure(EntityTypeBuilder<SegmentRecheck> b)
    {
        b.HasKey(r => new { r.SegmentId, r.LeadId });
        b.HasIndex(r => r.DueAt);
        b.HasOne<Segment>().WithMany().HasForeignKey(r => r.SegmentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Lead>().WithMany().HasForeignKey(r => r.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
