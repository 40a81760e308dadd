using NurtureEngine.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NurtureEngine.Web.Hosting;

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry: the <c>NurtureEngine</c> meter (plus ASP.NET Core's and Kestrel's) exported at
    /// <c>/metrics</c> for Prometheus; spans of the <c>NurtureEngine</c> and ASP.NET Core sources,
    /// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static WebApplicationBuilder AddNurtureTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HangfireQueueGauge>();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("nurture-engine", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(m => m
                .AddMeter(NurtureMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter())
            .WithTracing(t => t.AddSource(NurtureMetrics.MeterName, "Microsoft.AspNetCore"));
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            otel.WithTracing(t => t.AddOtlpExporter());
        return builder;
    }

    /// <summary><c>GET /metrics</c> in every role (a worker's SMTP timings live in the worker).</summary>
    public static void MapNurtureMetrics(this WebApplication app)
    {
        app.Services.GetRequiredService<HangfireQueueGauge>();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
    }
}
