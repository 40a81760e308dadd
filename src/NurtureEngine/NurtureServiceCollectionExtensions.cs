using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using NurtureEngine.ApiKeys;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Demo;
using NurtureEngine.Events;
using NurtureEngine.Inbound;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Pipelines;
using NurtureEngine.Rendering;
using NurtureEngine.Scoring;
using NurtureEngine.Sequences;
using NurtureEngine.Settings;
using NurtureEngine.Tasks;
using NurtureEngine.Telemetry;
using NurtureEngine.Templates;
using NurtureEngine.Timeline;
using NurtureEngine.Tracking;
using NurtureEngine.Webhooks;

namespace NurtureEngine;

public static class NurtureServiceCollectionExtensions
{
    /// <summary>The engine: data, automation, rendering, mail and tracking services.</summary>
    public static IServiceCollection AddNurtureEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NurtureOptions>().BindConfiguration(NurtureOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddNurtureInbound();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddDbContext<NurtureDbContext>((sp, o) => o
            .UseNpgsql(ConnectionString(sp.GetRequiredService<IConfiguration>()), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", NurtureDbContext.Schema))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(sp.GetRequiredService<WebhookOutboxInterceptor>(), new RowLocks.Interceptor()));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<InstallationSecrets>();
        services.AddDataProtection();
        services.AddSingleton<InstallationSettings>();
        services.AddScoped<SettingsEditor>();
        services.AddMetrics();
        services.AddSingleton<DueWorkLagProbe>();
        services.AddSingleton<NurtureMetrics>();
        services.AddSingleton<WebhookSubscriptionCache>();
        services.AddSingleton<WebhookOutboxInterceptor>();
        services.AddSingleton<WebhookSender>();
        services.AddScoped<WebhookSignal>();
        services.AddScoped<WebhookService>();
        services.AddScoped<WebhookDispatchJob>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<SequenceCatalog>();
        services.AddSingleton<MimeMessageBuilder>();
        services.AddSingleton<OutboxSender>();
        services.AddScoped<GlobalSendRate>();
        services.AddSingleton<DevInboxTransport>();
        services.AddSingleton<IMailTransport, MailTransportSwitch>();

        services.AddScoped<UnitOfWork>();
        services.AddScoped<IDueWorkSignal, HangfireDueWorkSignal>();
        services.AddScoped<TimelineWriter>();
        services.AddScoped<ConditionEvaluator>();
        services.AddScoped<Enroller>();
        services.AddScoped<SequenceReactions>();
        services.AddScoped<StageMover>();
        services.AddScoped<ScoringStore>();
        services.AddScoped<ScoreKeeper>();
        services.AddScoped<EngagementRecorder>();
        services.AddScoped<EventObservers>();
        services.AddScoped<LeadService>();
        services.AddScoped<LeadBatchCreator>();
        services.AddScoped<ScoreMoveBatch>();
        Forms.FormServiceCollectionExtensions.AddNurtureForms(services);
        services.AddScoped<LeadPrivacy>();
        services.AddScoped<LeadDesk>();
        services.AddScoped<Reports.ReportService>();
        services.AddScoped<Sales.CompanyService>();
        services.AddScoped<Sales.DealService>();
        services.AddScoped<Sales.SalesReportService>();
        services.AddScoped<Sales.BoardService>();
        services.AddScoped<Sales.SalesDemoSeeder>();
        services.AddScoped<Sales.HandoffService>();
        services.AddScoped<Sales.HandoffDesk>();
        services.AddScoped<Sales.HandoffReport>();
        services.AddScoped<Sales.SalesTargetService>();
        services.AddScoped<Sales.HandoffSlaJob>();
        services.AddScoped<Sales.AssignOwnerStep>();
        services.AddScoped<Imports.LeadImporter>();
        services.AddScoped<Imports.LeadImportService>();
        services.AddScoped<Imports.LeadImportJob>();
        services.AddScoped<Segments.SegmentRecheckJob>();
        services.AddScoped<EventService>();
        services.AddScoped<PipelineService>();
        services.AddScoped<EmailComposer>();
        services.AddScoped<TemplateService>();
        services.AddScoped<TemplateTestMailer>();
        services.AddScoped<TemplateLinter>();
        services.AddScoped<EmailImageStore>();
        services.AddScoped<SequenceValidator>();
        services.AddScoped<SequenceService>();
        services.AddScoped<SequenceRunner>();
        services.AddScoped<EmailStepBatch>();
        services.AddScoped<MessageFactory>();
        services.AddScoped<OutboxWriter>();
        services.AddScoped<TrackingService>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<DueWorkJob>();
        services.AddScoped<Segments.SegmentTracker>();
        services.AddScoped<Segments.SegmentService>();
        services.AddScoped<Broadcasts.BroadcastService>();
        services.AddScoped<Broadcasts.BroadcastStarter>();
        services.AddScoped<Broadcasts.BroadcastRunner>();
        services.AddScoped<Broadcasts.BroadcastReport>();
        services.AddScoped<TaskService>();
        services.AddScoped<TaskReminderJob>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<SequenceSimulator>();
        return services;
    }

    public static string ConnectionString(IConfiguration configuration) => configuration.GetConnectionString("Nurture")
        ?? throw new InvalidOperationException("ConnectionStrings:Nurture is not set (./run.sh sets it for a local cluster).");
}
