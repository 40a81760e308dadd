using NurtureEngine.Web.Api;
using NurtureEngine.Web.Hosting;
using NurtureEngine.Web.Tracking;

var builder = WebApplication.CreateBuilder(args);
builder.AddNurtureData();
builder.AddNurtureAuthentication();
builder.AddNurtureRateLimits();
builder.AddNurtureWorkers();
builder.AddNurtureAdmin();
builder.AddNurtureOpenApi();
builder.AddNurtureTelemetry();

var app = builder.Build();
await app.InitializeNurtureDatabaseAsync();
app.UseNurtureErrors();
app.UseNurtureSecurityHeaders();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseNurtureInputTextCheck();
app.UseAntiforgery();
app.MapNurtureHealth();
app.MapNurtureMetrics();
if (app.RunsWeb())
{
    app.MapNurtureApi();
    app.MapNurtureOpenApi();
    app.MapNurtureTracking();
    app.MapNurtureImages();
    app.MapNurtureAdmin();
}
app.Run();

/// <summary>Exposed for the integration tests' WebApplicationFactory.</summary>
public partial class Program;
