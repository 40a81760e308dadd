using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;
using NurtureEngine.Mail;

namespace NurtureEngine.Data.Configurations;

sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        // A (lead, step) is emailed at most once (per pass through a loop): the database says so, not the scheduler.
        b.HasIndex(m => new { m.EnrollmentId, m.StepId, m.Pass }).IsUnique().HasFilter("enrollment_id IS NOT NULL");
        // And a broadcast emails a lead at most once, ever.
        b.HasIndex(m => new { m.BroadcastId, m.LeadId }).IsUnique().HasFilter("broadcast_id IS NOT NULL");
        b.HasIndex(m => m.BroadcastId).HasFilter("broadcast_id IS NOT NULL AND status IN ('Scheduled', 'Sending')").HasDatabaseName("ix_message_broadcast_open");
        b.HasOne<Broadcasts.Broadcast>().WithMany().HasForeignKey(m => m.BroadcastId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(m => m.NotBefore).HasFilter("status = 'Scheduled'");
        b.HasIndex(m => m.LeaseUntil).HasFilter("status = 'Sending'");
        b.HasIndex(m => new { m.LeadId, m.CreatedAt });
        b.HasIndex(m => new { m.SequenceId, m.StepId });
        // Every email's bodies are compressed on the way in: lz4 costs a fraction of the default pglz's CPU.
        b.Property(m => m.Html).UseCompressionMethod("lz4");
        b.Property(m => m.Text).UseCompressionMethod("lz4");
        b.HasOne<Lead>().WithMany().HasForeignKey(m => m.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class DevInboxMessageConfiguration : IEntityTypeConfiguration<DevInboxMessage>
{
    public void Configure(EntityTypeBuilder<DevInboxMessage> b) => b.HasIndex(m => m.CapturedAt);
}
