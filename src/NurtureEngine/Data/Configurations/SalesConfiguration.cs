using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Sales;

namespace NurtureEngine.Data.Configurations;

sealed class CompanyConfiguration : IEntityTypeConfiguration<Company>
{
    public void Configure(EntityTypeBuilder<Company> b)
    {
        b.HasIndex(c => c.Domain).IsUnique();
        b.Property(c => c.Name).HasMaxLength(200);
        b.Property(c => c.Domain).HasMaxLength(253);
        b.Property(c => c.AttributesJson).HasColumnName("attributes").HasColumnType("jsonb");
        b.Ignore(c => c.Attributes);
    }
}

sealed class DealConfiguration : IEntityTypeConfiguration<Deal>
{
    public void Configure(EntityTypeBuilder<Deal> b)
    {
        b.Property(d => d.Name).HasMaxLength(200);
        b.Property(d => d.Amount).HasPrecision(18, 2);
        b.Property(d => d.Currency).HasMaxLength(3);
        b.Property(d => d.Owner).HasMaxLength(254);
        b.Property(d => d.LostReason).HasMaxLength(500);
        b.HasOne<Lead>().WithMany().HasForeignKey(d => d.LeadId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Company>().WithMany().HasForeignKey(d => d.CompanyId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Pipeline>().WithMany().HasForeignKey(d => d.PipelineId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(d => d.Stage).WithMany().HasForeignKey(d => d.StageId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(d => d.LeadId);
        b.HasIndex(d => d.CompanyId);
        // Board columns (a stage's deals in id order) and the sales report (a pipeline's deals by stage).
        b.HasIndex(d => new { d.StageId, d.Id });
        b.HasIndex(d => new { d.PipelineId, d.StageId }).IncludeProperties(d => new { d.Amount, d.CloseDate, d.Owner });
        b.HasIndex(d => new { d.Owner, d.StageId, d.Id });
    }
}

sealed class HandoffConfiguration : IEntityTypeConfiguration<Handoff>
{
    public void Configure(EntityTypeBuilder<Handoff> b)
    {
        b.Property(h => h.Origin).HasMaxLength(300);
        b.Property(h => h.Owner).HasMaxLength(254);
        b.Property(h => h.DecidedBy).HasMaxLength(254);
        b.Property(h => h.Reason).HasMaxLength(500);
        b.Property(h => h.RuleJson).HasColumnName("rule").HasColumnType("jsonb");
        b.HasOne<Lead>().WithMany().HasForeignKey(h => h.LeadId).OnDelete(DeleteBehavior.Cascade);
        // One open hand-off per lead: a breach or a decision acts on exactly one row.
        b.HasIndex(h => h.LeadId).IsUnique().HasFilter("status = 'Pending'").HasDatabaseName("ix_handoff_pending_lead");
        // The SLA sweep reads only pending rows by deadline.
        b.HasIndex(h => h.AcceptBy).HasFilter("status = 'Pending'").HasDatabaseName("ix_handoff_pending_accept_by");
        b.HasIndex(h => new { h.LeadId, h.Id });
        // Reports: hand-offs assigned in a period.
        b.HasIndex(h => new { h.AssignedAt, h.Owner });
    }
}

/// <summary>Round-robin counter of an <c>assign_owner</c> step (a hand-off stage keeps its own on the stage row).</summary>
sealed class RoundRobinTurnConfiguration : IEntityTypeConfiguration<RoundRobinTurn>
{
    public void Configure(EntityTypeBuilder<RoundRobinTurn> b)
    {
        b.HasKey(t => t.Key);
        b.Property(t => t.Key).HasMaxLength(300);
    }
}

sealed class SalesTargetConfiguration : IEntityTypeConfiguration<SalesTarget>
{
    public void Configure(EntityTypeBuilder<SalesTarget> b)
    {
        b.HasKey(t => t.Owner);
        b.Property(t => t.Owner).HasMaxLength(254);
        b.Property(t => t.MonthlyAmount).HasPrecision(18, 2);
    }
}
