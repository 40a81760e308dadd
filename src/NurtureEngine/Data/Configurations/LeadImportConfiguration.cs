using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Imports;

namespace NurtureEngine.Data.Configurations;

sealed class LeadImportConfiguration : IEntityTypeConfiguration<LeadImport>
{
    public void Configure(EntityTypeBuilder<LeadImport> b)
    {
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.CreatedBy).HasMaxLength(254);
        b.Property(i => i.FileName).HasMaxLength(260);
        b.Property(i => i.MappingJson).HasColumnName("mapping").HasColumnType("jsonb");
        b.Property(i => i.ErrorsJson).HasColumnName("errors").HasColumnType("jsonb");
        b.Property(i => i.Failure).HasMaxLength(2000);
        b.HasIndex(i => i.CreatedAt); // the recent imports list
    }
}
