using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Inbound;
using NurtureEngine.Leads;
using NurtureEngine.Preferences;
using NurtureEngine.Suppressions;

namespace NurtureEngine.Data.Configurations;

sealed class InboundMessageConfiguration : IEntityTypeConfiguration<InboundMessage>
{
    public void Configure(EntityTypeBuilder<InboundMessage> b)
    {
        // Exactly-once processing lives in the database: the key is inserted with the effects.
        b.HasIndex(m => m.Key).IsUnique();
        b.Property(m => m.Key).HasMaxLength(512);
        b.HasIndex(m => m.LeadId);
    }
}

sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> b)
    {
        b.HasIndex(s => s.AddressHash).IsUnique();
        b.Property(s => s.AddressHash).HasMaxLength(64);
    }
}

sealed class TopicOptOutConfiguration : IEntityTypeConfiguration<TopicOptOut>
{
    public void Configure(EntityTypeBuilder<TopicOptOut> b)
    {
        b.HasKey(o => new { o.LeadId, o.Topic });
        b.Property(o => o.Topic).HasMaxLength(64);
        b.HasOne<Lead>().WithMany().HasForeignKey(o => o.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
