using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Timeline;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Data.Configurations;

sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> b)
    {
        b.HasIndex(s => s.Key).IsUnique();
        b.Property(s => s.Key).HasMaxLength(64);
        b.Property(s => s.Url).HasMaxLength(2000);
        b.Property(s => s.Secret).HasMaxLength(200);
    }
}

sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.Property(d => d.Id).ValueGeneratedNever();
        b.HasIndex(d => d.NextAttemptAt).HasFilter("status = 'Pending'");
        b.HasIndex(d => new { d.SubscriptionId, d.CreatedAt });
        b.HasIndex(d => d.CreatedAt);
        b.HasIndex(d => new { d.ActivityId, d.SubscriptionId }).IsUnique();
        b.Property(d => d.EventType).HasMaxLength(64);
        b.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(d => d.Activity).WithMany().HasForeignKey(d => d.ActivityId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class WebhookDispatchStateConfiguration : IEntityTypeConfiguration<WebhookDispatchState>
{
    public void Configure(EntityTypeBuilder<WebhookDispatchState> b)
    {
        b.Property(s => s.Id).ValueGeneratedNever();
        b.HasData(new WebhookDispatchState { Id = 1 });
    }
}
