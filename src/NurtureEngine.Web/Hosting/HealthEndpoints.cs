using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace NurtureEngine.Web.Hosting;

public static class HealthEndpoints
{
    public static void MapNurtureHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapGet("/api/v1/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
    }
}
