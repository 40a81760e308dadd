using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Broadcasts;
using NurtureEngine.Leads;

namespace NurtureEngine.Data.Configurations;

sealed class BroadcastConfiguration : IEntityTypeConfiguration<Broadcast>
{
    public void Configure(EntityTypeBuilder<Broadcast> b)
    {
        b.HasIndex(x => x.Key).IsUnique();
        b.Property(x => x.Key).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.DefinitionJson).HasColumnName("definition").HasColumnType("jsonb");
        b.Property(x => x.DecisionJson).HasColumnName("decision").HasColumnType("jsonb");
        b.HasIndex(x => x.StartAt).HasFilter("status = 'Scheduled'");
    }
}

sealed class BroadcastRecipientConfiguration : IEntityTypeConfiguration<BroadcastRecipient>
{
    public void Configure(EntityTypeBuilder<BroadcastRecipient> b)
    {
        // One lead is in a broadcast's audience once, ever: the database says so.
        b.HasKey(x => new { x.BroadcastId, x.LeadId });
        b.HasIndex(x => x.DueAt).HasFilter("message_id IS NULL AND variant IS NOT NULL");
        b.HasIndex(x => x.BroadcastId).HasFilter("message_id IS NULL").HasDatabaseName("ix_broadcast_recipient_unqueued");
        b.HasOne<Broadcast>().WithMany().HasForeignKey(x => x.BroadcastId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Lead>().WithMany().HasForeignKey(x => x.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
