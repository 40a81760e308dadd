namespace NurtureEngine.Web.Hosting;

public static class AdminExtensions
{
    /// <summary>Razor Pages admin: every page needs a signed-in user; folders narrow it by role.</summary>
    public static WebApplicationBuilder AddNurtureAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", "Staff");
            o.Conventions.AllowAnonymousToFolder("/Account");
            o.Conventions.AuthorizeFolder("/Dev", "Admin");
        });
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "nurture.csrf");
        return builder;
    }

    public static void MapNurtureAdmin(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapNurtureJobsDashboard();
    }
}
