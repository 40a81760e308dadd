using NurtureEngine.Common;
using NurtureEngine.Pipelines;
using NurtureEngine.Reports;

namespace NurtureEngine.Web.Api;

public static class PipelineEndpoints
{
    public static void MapPipelines(this RouteGroupBuilder api)
    {
        api.MapGet("/pipelines", async (PipelineService pipelines, CancellationToken ct) => Results.Ok(await pipelines.ListAsync(ct)));
        api.MapGet("/pipelines/{key}", async (string key, PipelineService pipelines, CancellationToken ct) =>
            await pipelines.GetAsync(key, ct) is { } p ? Results.Ok(p) : throw new NotFoundException($"Pipeline '{key}'"));
        api.MapPut("/pipelines/{key}", async (string key, HttpRequest request, PipelineService pipelines, CancellationToken ct) =>
        {
            var (pipeline, created) = await pipelines.PutAsync(key, await JsonBody.ReadAsync<PipelineInput>(request, ct), ct);
            return ApiEndpoints.Stored(pipeline, created, $"/api/v1/pipelines/{key}");
        });
        api.MapGet("/pipelines/{key}/funnel", async (string key, DateTimeOffset? from, DateTimeOffset? to, ReportService reports, CancellationToken ct) =>
            Results.Ok(await reports.FunnelAsync(key, from, to, ct)));
    }
}
