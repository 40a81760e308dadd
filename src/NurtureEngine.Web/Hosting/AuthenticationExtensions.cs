using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using NurtureEngine.Data;
using NurtureEngine.Web.Api;

namespace NurtureEngine.Web.Hosting;

public static class AuthenticationExtensions
{
    public const string ApiPolicy = "Api";

    /// <summary>Cookie sign-in (ASP.NET Core Identity) for the admin; Bearer API keys for /api.</summary>
    public static WebApplicationBuilder AddNurtureAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddIdentity<IdentityUser, IdentityRole>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddEntityFrameworkStores<NurtureDbContext>()
            .AddDefaultTokenProviders();
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "nurture.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        // Every admin request checks the cookie's security stamp against the user's: a password
        // change or "sign out everywhere" ends all other sessions at once (one indexed read per request).
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        builder.Services.AddAuthentication()
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.Scheme, _ => { });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.Scheme).RequireAuthenticatedUser())
            .AddPolicy("Admin", p => p.RequireRole("Admin"))
            .AddPolicy("Marketer", p => p.RequireRole("Admin", "Marketer"))
            .AddPolicy("Staff", p => p.RequireRole("Admin", "Marketer", "SalesRep"));
        return builder;
    }
}
