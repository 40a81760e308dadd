using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;
using NurtureEngine.Sequences;

namespace NurtureEngine.Data.Configurations;

sealed class SequenceConfiguration : IEntityTypeConfiguration<Sequence>
{
    public void Configure(EntityTypeBuilder<Sequence> b)
    {
        b.HasIndex(s => s.Key).IsUnique();
        b.HasIndex(s => new { s.TriggerType, s.TriggerKey });
        b.HasMany(s => s.Versions).WithOne().HasForeignKey(v => v.SequenceId);
    }
}

sealed class SequenceVersionConfiguration : IEntityTypeConfiguration<SequenceVersion>
{
    public void Configure(EntityTypeBuilder<SequenceVersion> b)
    {
        b.Property(v => v.DefinitionJson).HasColumnName("definition").HasColumnType("jsonb");
        b.HasIndex(v => new { v.SequenceId, v.Version }).IsUnique();
    }
}

sealed class EnrollmentConfiguration : IEntityTypeConfiguration<Enrollment>
{
    public void Configure(EntityTypeBuilder<Enrollment> b)
    {
        // A lead is in a sequence at most once at a time.
        b.HasIndex(e => new { e.LeadId, e.SequenceId }).IsUnique().HasFilter("status = 'Active'");
        // The scheduler reads only due rows: its cost follows due work, not waiting work.
        b.HasIndex(e => e.NextStepAt).HasFilter("status = 'Active'");
        b.HasIndex(e => new { e.SequenceId, e.CurrentStepId });
        b.HasOne<Lead>().WithMany().HasForeignKey(e => e.LeadId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Sequence>().WithMany().HasForeignKey(e => e.SequenceId);
        b.HasOne<SequenceVersion>().WithMany().HasForeignKey(e => e.SequenceVersionId);
    }
}
