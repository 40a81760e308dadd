using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NurtureEngine.Data;

namespace NurtureEngine.Web.Hosting;

/// <summary>Ready when the database answers and every migration is applied.</summary>
public sealed class DatabaseHealthCheck(NurtureDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var pending = await db.Database.GetPendingMigrationsAsync(ct);
            return pending.Any()
                ? HealthCheckResult.Unhealthy($"{pending.Count()} migration(s) not applied")
                : HealthCheckResult.Healthy("database reachable, migrations applied");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}
