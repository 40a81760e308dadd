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
