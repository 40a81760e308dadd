using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.ApiKeys;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Pipelines;
using NurtureEngine.Sequences;
using NurtureEngine.Settings;
using NurtureEngine.Templates;
using NurtureEngine.Timeline;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Data;

public sealed class NurtureDbContext(DbContextOptions<NurtureDbContext> options)
    : IdentityDbContext<IdentityUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public const string Schema = "nurture";

    public DbSet<Pipeline> Pipelines => Set<Pipeline>();
    public DbSet<Stage> Stages => Set<Stage>();
    public DbSet<Lead> Leads => Set<Lead>();
    public DbSet<StageChange> StageChanges => Set<StageChange>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<EmailTemplate> Templates => Set<EmailTemplate>();
    public DbSet<TemplateVersion> TemplateVersions => Set<TemplateVersion>();
    public DbSet<EmailImage> EmailImages => Set<EmailImage>();
    public DbSet<Sequence> Sequences => Set<Sequence>();
    public DbSet<SequenceVersion> SequenceVersions => Set<SequenceVersion>();
    public DbSet<Enrollment> Enrollments => Set<Enrollment>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<DevInboxMessage> DevInbox => Set<DevInboxMessage>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Setting> Settings => Set<Setting>();
    public DbSet<Segments.Segment> Segments => Set<Segments.Segment>();
    public DbSet<Segments.SegmentMember> SegmentMembers => Set<Segments.SegmentMember>();
    public DbSet<Segments.SegmentRecheck> SegmentRechecks => Set<Segments.SegmentRecheck>();
    public DbSet<Tasks.SalesTask> SalesTasks => Set<Tasks.SalesTask>();
    public DbSet<Automation.DueWorkState> DueWorkState => Set<Automation.DueWorkState>();
    public DbSet<Mail.SendRateState> SendRateState => Set<Mail.SendRateState>();
    public DbSet<Inbound.InboundMessage> InboundMessages => Set<Inbound.InboundMessage>();
    public DbSet<Suppressions.Suppression> Suppressions => Set<Suppressions.Suppression>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookDispatchState> WebhookDispatchState => Set<WebhookDispatchState>();
    /// <summary>ASP.NET Core Data Protection keys (auth cookies, antiforgery): shared by every web process.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Preferences.TopicOptOut> TopicOptOuts => Set<Preferences.TopicOptOut>();
    public DbSet<Imports.LeadImport> LeadImports => Set<Imports.LeadImport>();
    public DbSet<Broadcasts.Broadcast> Broadcasts => Set<Broadcasts.Broadcast>();
    public DbSet<Broadcasts.BroadcastRecipient> BroadcastRecipients => Set<Broadcasts.BroadcastRecipient>();
    public DbSet<Sales.Company> Companies => Set<Sales.Company>();
    public DbSet<Sales.Deal> Deals => Set<Sales.Deal>();
    public DbSet<Sales.Handoff> Handoffs => Set<Sales.Handoff>();
    public DbSet<Sales.RoundRobinTurn> RoundRobinTurns => Set<Sales.RoundRobinTurn>();
    public DbSet<Sales.SalesTarget> SalesTargets => Set<Sales.SalesTarget>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasDefaultSchema(Schema);
        builder.HasPostgresExtension("pg_trgm"); // trigram indexes for the lead search
        builder.ApplyConfigurationsFromAssembly(typeof(NurtureDbContext).Assembly);
        // Singular snake_case table names, as the raw SQL in the engine writes them.
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            var name = entity.ClrType.Namespace!.StartsWith("NurtureEngine") ? entity.ClrType.Name : entity.GetTableName()!;
            entity.SetTableName(SnakeCase(name));
        }
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) && !char.IsUpper(name[i - 1]) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        builder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }
}
