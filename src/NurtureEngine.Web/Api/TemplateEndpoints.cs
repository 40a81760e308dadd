using NurtureEngine.Common;
using NurtureEngine.Templates;

namespace NurtureEngine.Web.Api;

public static class TemplateEndpoints
{
    public static void MapTemplates(this RouteGroupBuilder api)
    {
        api.MapPut("/templates/{key}", async (string key, HttpRequest request, TemplateService templates, CancellationToken ct) =>
        {
            var (template, created) = await templates.PutAsync(key, await JsonBody.ReadAsync<TemplateInput>(request, ct), ct);
            return ApiEndpoints.Stored(template, created, $"/api/v1/templates/{key}");
        });
        api.MapGet("/templates", async (TemplateService templates, CancellationToken ct) => Results.Ok(await templates.ListAsync(ct)));
        api.MapGet("/templates/{key}", async (string key, TemplateService templates, CancellationToken ct) =>
            await templates.GetAsync(key, ct) is { } t ? Results.Ok(t) : throw new NotFoundException($"Template '{key}'"));
        api.MapPost("/templates/{key}/preview", async (string key, HttpRequest request, TemplateService templates, CancellationToken ct) =>
            Results.Ok(await templates.PreviewAsync(key, await JsonBody.ReadAsync<PreviewInput>(request, ct), ct)));
    }
}
