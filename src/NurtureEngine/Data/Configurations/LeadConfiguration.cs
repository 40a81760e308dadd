using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;

namespace NurtureEngine.Data.Configurations;

sealed class LeadConfiguration : IEntityTypeConfiguration<Lead>
{
    public void Configure(EntityTypeBuilder<Lead> b)
    {
        b.HasIndex(l => l.EmailNormalized).IsUnique();
        b.Property(l => l.Version).IsRowVersion();
        b.Property(l => l.AttributesJson).HasColumnName("attributes").HasColumnType("jsonb");
        b.Ignore(l => l.Attributes);
        b.HasOne(l => l.Pipeline).WithMany().HasForeignKey(l => l.PipelineId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(l => l.Stage).WithMany().HasForeignKey(l => l.StageId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(l => new { l.StageId, l.Id });
        // The lead list (keyset paging by id) stays fast at 1,000,000 leads: bench/RESULTS.md.
        b.HasIndex(l => new { l.Owner, l.StageId, l.Id });
        // The lead list sorted by score (highest first), read backwards, keyset by (score, id).
        b.HasIndex(l => new { l.Score, l.Id });
        b.HasIndex(l => new { l.Status, l.Id }).HasFilter("status <> 'Subscribed'");
        b.HasIndex(l => new { l.Email, l.FirstName, l.LastName, l.Company }).HasMethod("gin")
            .HasOperators("gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops").HasDatabaseName("ix_lead_search_trgm");
        b.HasIndex(l => l.Tags).HasMethod("gin");
        b.Property(l => l.DealValue).HasPrecision(18, 2);
        // The funnel's "now" column (leads and deal value per stage) from the index alone.
        b.HasIndex(l => new { l.PipelineId, l.StageId }).IncludeProperties(l => l.DealValue);
        // Set by the lead_link_company trigger on insert (every path that makes leads), read back by EF.
        b.Property(l => l.CompanyId).ValueGeneratedOnAdd();
        b.HasOne(l => l.LinkedCompany).WithMany().HasForeignKey(l => l.CompanyId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(l => l.CompanyId);
    }
}

sealed class StageChangeConfiguration : IEntityTypeConfiguration<StageChange>
{
    public void Configure(EntityTypeBuilder<StageChange> b)
    {
        b.HasIndex(c => new { c.LeadId, c.At });
        b.HasIndex(c => new { c.PipelineId, c.At });
        // The funnel report in one ordered index-only scan: grouped by stage, filtered by time.
        b.HasIndex(c => new { c.PipelineId, c.ToStageId, c.At }).IncludeProperties(c => new { c.PreviousEntryAt, c.Converted, c.LeftAt })
            .HasDatabaseName("ix_stage_change_funnel");
        b.HasOne<Lead>().WithMany().HasForeignKey(c => c.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
