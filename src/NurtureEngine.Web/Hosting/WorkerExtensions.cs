using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using NurtureEngine.Automation;
using NurtureEngine.Settings;

namespace NurtureEngine.Web.Hosting;

public static class WorkerExtensions
{
    /// <summary>
    /// Hangfire on PostgreSQL (schema <c>hangfire</c>): storage in every role (web enqueues nudges),
    /// the server only in worker/all. Sliding invisibility, 1 s schedule polling, no long polling.
    /// </summary>
    public static WebApplicationBuilder AddNurtureWorkers(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Nurture")!;
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromMilliseconds(200),
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
                DistributedLockTimeout = TimeSpan.FromMinutes(1),
            }));
        var role = builder.Configuration.GetValue<string>("Nurture:Role") ?? "all";
        if (role is "all" or "worker")
        {
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                o.ServerCheckInterval = TimeSpan.FromSeconds(30);
                o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            });
            builder.Services.AddHostedService<RecurringJobsRegistration>();
        }
        return builder;
    }

    public static void MapNurtureJobsDashboard(this WebApplication app) =>
        app.MapHangfireDashboard("/admin/jobs", new DashboardOptions
        {
            Authorization = [new AdminOnlyDashboardFilter()],
            AppPath = "/",
            DashboardTitle = "NurtureEngine jobs",
        }).RequireAuthorization("Admin");

    private sealed class AdminOnlyDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole("Admin");
    }
}

/// <summary>The once-a-minute sweep that catches anything whose nudge was lost.</summary>
public sealed class RecurringJobsRegistration(IRecurringJobManager jobs) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        jobs.AddOrUpdate<DueWorkJob>("due-work-sweep", j => j.SweepAsync(CancellationToken.None), Cron.Minutely());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
