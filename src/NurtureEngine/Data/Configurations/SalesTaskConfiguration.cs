using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;
using NurtureEngine.Tasks;

namespace NurtureEngine.Data.Configurations;

sealed class SalesTaskConfiguration : IEntityTypeConfiguration<SalesTask>
{
    public void Configure(EntityTypeBuilder<SalesTask> b)
    {
        b.Property(t => t.Owner).HasMaxLength(254);
        b.Property(t => t.Title).HasMaxLength(300);
        b.HasIndex(t => new { t.Owner, t.Status, t.DueAt });
        b.HasIndex(t => new { t.LeadId, t.Id });
        // A task step makes at most one task per enrollment.
        b.HasIndex(t => new { t.EnrollmentId, t.StepId }).IsUnique().HasFilter("enrollment_id IS NOT NULL");
        // The reminder sweep reads only open, unreminded tasks by due time.
        b.HasIndex(t => t.DueAt).HasFilter("status = 'Open' AND reminded_at IS NULL").HasDatabaseName("ix_sales_task_due_unreminded");
        b.HasOne<Lead>().WithMany().HasForeignKey(t => t.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
