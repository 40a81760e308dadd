namespace NurtureEngine.Web.Hosting;

public static class AdminExtensions
{
    /// <summary>
    /// Razor Pages admin: every page needs a signed-in user; folders narrow it by role. A folder
    /// convention covers every handler of every page in it (GET and POST alike), so a role check can
    /// never be forgotten on one handler.
    /// </summary>
    public static WebApplicationBuilder AddNurtureAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", "Staff");
            o.Conventions.AllowAnonymousToFolder("/Account");
            o.Conventions.AddPageApplicationModelConvention("/Account/Login",
                page => page.EndpointMetadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(RateLimitExtensions.Login)));
            o.Conventions.AddPageRoute("/Leads/Edit", "/leads/new");
            o.Conventions.AuthorizeFolder("/Dev", "Admin");
            o.Conventions.AuthorizeFolder("/Users", "Admin");
            o.Conventions.AuthorizeFolder("/Settings", "Admin");
            o.Conventions.AuthorizeFolder("/Templates", "Marketer");
            o.Conventions.AuthorizeFolder("/Sequences", "Marketer");
            o.Conventions.AuthorizeFolder("/Pipelines", "Marketer");
            o.Conventions.AuthorizeFolder("/Imports", "Marketer");
            o.Conventions.AuthorizeFolder("/Segments", "Marketer");
            o.Conventions.AuthorizeFolder("/Scoring", "Marketer");
        });
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<NurtureEngine.Web.Admin.ViewerClock>();
        builder.Services.AddScoped<NurtureEngine.Web.Admin.LeadDirectory>();
        builder.Services.AddScoped<NurtureEngine.Web.Admin.SequenceDrafts>();
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "nurture.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        return builder;
    }

    public static void MapNurtureAdmin(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapNurtureJobsDashboard();
    }

    /// <summary>
    /// Security headers for the admin's HTML: no framing (clickjacking), no MIME sniffing, and a CSP
    /// that allows no inline script. Email previews are sandboxed srcdoc iframes: they inherit this
    /// policy, so even a template's own script could not run. The Hangfire dashboard brings its own
    /// inline scripts and keeps only the framing and sniffing headers.
    /// </summary>
    public static void UseNurtureSecurityHeaders(this WebApplication app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            var path = context.Request.Path;
            if (!path.StartsWithSegments("/admin/jobs") && !path.StartsWithSegments("/api") && !path.StartsWithSegments("/t"))
                headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
                    "img-src 'self' data: http: https:; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
            else
                headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return Task.CompletedTask;
        });
        await next();
    });
}
