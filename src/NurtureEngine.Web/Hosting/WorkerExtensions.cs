using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using NurtureEngine;
using NurtureEngine.Automation;
using NurtureEngine.Inbound;
using NurtureEngine.Settings;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Web.Hosting;

public static class WorkerExtensions
{
    /// <summary>
    /// Hangfire on PostgreSQL (schema <c>hangfire</c>): storage in every role (web enqueues nudges),
    /// the server only in worker/all. Sliding invisibility, 1 s schedule polling, no long polling.
    /// The storage is this app's own DI singleton (not Hangfire's static one), read from configuration
    /// when first needed. On shutdown the hosted services stop concurrently.
    /// </summary>
    public static WebApplicationBuilder AddNurtureWorkers(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<JobStorage>(sp =>
        {
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromMilliseconds(200),
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
                DistributedLockTimeout = TimeSpan.FromMinutes(1),
            };
            var connectionString = NurtureServiceCollectionExtensions.ConnectionString(sp.GetRequiredService<IConfiguration>());
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        });
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        builder.Services.AddHostedService<HangfireWorkerHost>();
        builder.Services.AddHostedService<DueWorkListener>();
        // On SIGTERM every drain (Hangfire's jobs and the listener's) stops starting sends at once; stopped
        // one after the other, the jobs went on sending while the listener's last send finished.
        builder.Services.Configure<HostOptions>(o => o.ServicesStopConcurrently = true);
        return builder;
    }

    public static void MapNurtureJobsDashboard(this WebApplication app) =>
        app.MapHangfireDashboard("/admin/jobs", new DashboardOptions
        {
            Authorization = [new AdminOnlyDashboardFilter()],
            AppPath = "/",
            DashboardTitle = "NurtureEngine jobs",
        }, app.Services.GetRequiredService<JobStorage>()).RequireAuthorization("Admin");

    private sealed class AdminOnlyDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole("Admin");
    }
}

/// <summary>
/// Runs the Hangfire server in the worker and all roles, and registers the once-a-minute sweep
/// that catches anything whose nudge was lost.
/// </summary>
public sealed class HangfireWorkerHost(IOptions<NurtureOptions> options, InstallationSettings settings, JobStorage storage, IServiceScopeFactory scopes,
    IRecurringJobManager recurring) : IHostedService, IAsyncDisposable
{
    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken ct)
    {
        if (!options.Value.RunsWorker) return Task.CompletedTask;
        recurring.AddOrUpdate<DueWorkJob>("due-work-sweep", j => j.SweepAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<NurtureEngine.Tasks.TaskReminderJob>("task-reminders", j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<NurtureEngine.Sales.HandoffSlaJob>(NurtureEngine.Sales.HandoffSlaJob.Id, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddInboundRecurringJobs(settings.Imap);
        recurring.AddOrUpdate<WebhookDispatchJob>("webhook-sweep", j => j.SweepAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<NurtureEngine.Imports.LeadImportJob>("import-sweep", j => j.SweepAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<NurtureEngine.Segments.SegmentRecheckJob>(NurtureEngine.Segments.SegmentRecheckJob.Id, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<NurtureEngine.Website.WebsiteTracker>("anonymous-page-view-expiry", j => j.ExpireAsync(CancellationToken.None), Cron.Hourly());
        _server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = Math.Max(4, Environment.ProcessorCount * 2),
            SchedulePollingInterval = TimeSpan.FromSeconds(1),
            ServerCheckInterval = TimeSpan.FromSeconds(30),
            ShutdownTimeout = TimeSpan.FromSeconds(30),
            Activator = new AspNetCoreJobActivator(scopes),
        }, storage);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_server is null) return;
        _server.SendStop();
        await _server.WaitForShutdownAsync(ct);
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        _server = null;
        return ValueTask.CompletedTask;
    }
}
