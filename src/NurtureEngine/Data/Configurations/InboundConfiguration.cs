using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Inbound;
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
