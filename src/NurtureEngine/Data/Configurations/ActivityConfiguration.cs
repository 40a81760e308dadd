using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;
using NurtureEngine.Timeline;

namespace NurtureEngine.Data.Configurations;

sealed class ActivityConfiguration : IEntityTypeConfiguration<Activity>
{
    public void Configure(EntityTypeBuilder<Activity> b)
    {
        b.Property(a => a.DataJson).HasColumnName("data").HasColumnType("jsonb");
        b.HasIndex(a => new { a.LeadId, a.Id });
        // Idempotency lives in the database: an event key is stored once per installation.
        b.HasIndex(a => a.IdempotencyKey).IsUnique().HasFilter("idempotency_key IS NOT NULL");
        b.HasIndex(a => new { a.MessageId, a.Kind }).HasFilter("message_id IS NOT NULL");
        b.HasOne<Lead>().WithMany().HasForeignKey(a => a.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
