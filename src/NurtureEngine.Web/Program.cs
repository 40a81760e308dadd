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
builder.Services.AddSingleton<NurtureEngine.Web.Forms.VisitorLinks>();

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
    NurtureEngine.Web.Forms.PublicFormEndpoints.MapNurtureForms(app);
    NurtureEngine.Web.Forms.PublicFormEndpoints.MapNurtureWebsiteTracking(app);
    app.MapNurtureImages();
    app.MapNurtureAdmin();
}
app.Run();

/// <summary>Exposed for the integration tests' WebApplicationFactory.</summary>
public partial class Program;
