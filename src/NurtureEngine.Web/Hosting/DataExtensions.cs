using Microsoft.AspNetCore.DataProtection;
using NurtureEngine;
using NurtureEngine.Data;
using NurtureEngine.Settings;

namespace NurtureEngine.Web.Hosting;

public static class DataExtensions
{
    public static WebApplicationBuilder AddNurtureData(this WebApplicationBuilder builder)
    {
        if (builder.Configuration["ASPNETCORE_URLS"] is null && builder.Configuration["urls"] is null)
            builder.WebHost.UseUrls("http://127.0.0.1:5000");
        builder.Services.AddNurtureEngine(builder.Configuration);
        // Keys in PostgreSQL: a cookie or antiforgery token issued by one web process is valid on every other.
        // With Nurture:DataProtection:Certificate (a PFX file) they are stored encrypted with it (README "Keys").
        var protection = builder.Services.AddDataProtection().SetApplicationName("NurtureEngine").PersistKeysToDbContext<NurtureDbContext>();
        if (builder.Configuration["Nurture:DataProtection:Certificate"] is { Length: > 0 } certificate)
            protection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                certificate, builder.Configuration["Nurture:DataProtection:CertificatePassword"]));
        builder.Services.ConfigureHttpJsonOptions(o =>
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower)));
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<SmtpHealthCheck>("smtp", tags: ["ready"]);
        return builder;
    }

    /// <summary>Migrations, roles, first admin, API key and demo seed: once, under an advisory lock.</summary>
    public static Task InitializeNurtureDatabaseAsync(this WebApplication app) =>
        app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);

    public static bool RunsWeb(this WebApplication app) => app.Services.GetRequiredService<IOptions<NurtureOptions>>().Value.RunsWeb;
}
