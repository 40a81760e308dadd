using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Templates;

namespace NurtureEngine.Data.Configurations;

sealed class TemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> b)
    {
        b.HasIndex(t => t.Key).IsUnique();
        b.HasMany(t => t.Versions).WithOne().HasForeignKey(v => v.TemplateId);
    }
}

sealed class TemplateVersionConfiguration : IEntityTypeConfiguration<TemplateVersion>
{
    public void Configure(EntityTypeBuilder<TemplateVersion> b)
    {
        b.HasIndex(v => new { v.TemplateId, v.Version }).IsUnique();
    }
}

sealed class EmailImageConfiguration : IEntityTypeConfiguration<EmailImage>
{
    public void Configure(EntityTypeBuilder<EmailImage> b)
    {
        b.HasIndex(i => i.Sha256).IsUnique();
        b.Property(i => i.ContentType).HasMaxLength(32);
        b.Property(i => i.Sha256).HasMaxLength(64);
        b.Property(i => i.FileName).HasMaxLength(200);
    }
}
