using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.ApiKeys;
using NurtureEngine.Settings;

namespace NurtureEngine.Data.Configurations;

sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b) => b.HasIndex(k => k.Hash).IsUnique();
}

sealed class SettingConfiguration : IEntityTypeConfiguration<Setting>
{
    public void Configure(EntityTypeBuilder<Setting> b) => b.HasKey(s => s.Key);
}

sealed class DueWorkStateConfiguration : IEntityTypeConfiguration<Automation.DueWorkState>
{
    public void Configure(EntityTypeBuilder<Automation.DueWorkState> b)
    {
        b.Property(s => s.Id).ValueGeneratedNever();
        b.HasData(new Automation.DueWorkState { Id = 1 });
    }
}

sealed class SendRateStateConfiguration : IEntityTypeConfiguration<Mail.SendRateState>
{
    public void Configure(EntityTypeBuilder<Mail.SendRateState> b)
    {
        b.Property(s => s.Id).ValueGeneratedNever();
        b.HasData(new Mail.SendRateState { Id = 1 });
    }
}
