using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Pipelines;

namespace NurtureEngine.Data.Configurations;

sealed class PipelineConfiguration : IEntityTypeConfiguration<Pipeline>
{
    public void Configure(EntityTypeBuilder<Pipeline> b)
    {
        b.HasIndex(p => p.Key).IsUnique();
        b.Ignore(p => p.OrderedStages);
        b.HasMany(p => p.Stages).WithOne(s => s.Pipeline).HasForeignKey(s => s.PipelineId);
    }
}

sealed class StageConfiguration : IEntityTypeConfiguration<Stage>
{
    public void Configure(EntityTypeBuilder<Stage> b)
    {
        b.HasIndex(s => new { s.PipelineId, s.Key }).IsUnique();
        b.Property(s => s.HandoffJson).HasColumnName("handoff").HasColumnType("jsonb");
    }
}
