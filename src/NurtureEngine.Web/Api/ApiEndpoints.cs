using NurtureEngine.Web.Hosting;

namespace NurtureEngine.Web.Api;

public static class ApiEndpoints
{
    /// <summary>API v1 (API.md): Bearer API keys, problem+json errors.</summary>
    public static void MapNurtureApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(AuthenticationExtensions.ApiPolicy).RequireRateLimiting(RateLimitExtensions.Api).DisableAntiforgery();
        api.MapLeads();
        api.MapEvents();
        api.MapTemplates();
        api.MapSequences();
        api.MapScoring();
        api.MapPipelines();
        api.MapSegments();
        api.MapTasks();
        api.MapDelivery();
        api.MapWebhookSubscriptions();
        api.MapImports();
        api.MapBroadcasts();
        api.MapForms();
        api.MapSales();
    }

    /// <summary>201 when created, 200 when replaced, with the stored resource.</summary>
    public static IResult Stored(object body, bool created, string location) =>
        created ? Results.Created(location, body) : Results.Ok(body);

    public static Guid? ParseId(string id) => Guid.TryParse(id, out var g) ? g : null;
}
