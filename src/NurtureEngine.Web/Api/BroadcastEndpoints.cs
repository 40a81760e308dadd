using NurtureEngine.Broadcasts;

namespace NurtureEngine.Web.Api;

public static class BroadcastEndpoints
{
    public sealed class ScheduleBody
    {
        public DateTimeOffset? SendAt { get; set; }
    }

    public static void MapBroadcasts(this RouteGroupBuilder api)
    {
        api.MapPut("/broadcasts/{key}", async (string key, HttpRequest request, BroadcastService broadcasts, CancellationToken ct) =>
        {
            var (broadcast, created) = await broadcasts.PutAsync(key, await JsonBody.ReadAsync<BroadcastDefinition>(request, ct), ct);
            return ApiEndpoints.Stored(broadcast, created, $"/api/v1/broadcasts/{key}");
        });
        api.MapGet("/broadcasts", async (BroadcastService broadcasts, CancellationToken ct) => Results.Ok(await broadcasts.ListAsync(ct)));
        api.MapGet("/broadcasts/{key}", async (string key, BroadcastService broadcasts, CancellationToken ct) => Results.Ok(await broadcasts.GetAsync(key, ct)));
        api.MapPost("/broadcasts/{key}/schedule", async (string key, HttpRequest request, BroadcastService broadcasts, CancellationToken ct) =>
            Results.Ok(await broadcasts.ScheduleAsync(key, (await JsonBody.ReadAsync<ScheduleBody>(request, ct)).SendAt, ct)));
        api.MapPost("/broadcasts/{key}/send", async (string key, BroadcastService broadcasts, CancellationToken ct) => Results.Ok(await broadcasts.SendAsync(key, ct)));
        api.MapPost("/broadcasts/{key}/pause", async (string key, BroadcastService broadcasts, CancellationToken ct) => Results.Ok(await broadcasts.PauseAsync(key, ct)));
        api.MapPost("/broadcasts/{key}/resume", async (string key, BroadcastService broadcasts, CancellationToken ct) => Results.Ok(await broadcasts.ResumeAsync(key, ct)));
        api.MapPost("/broadcasts/{key}/cancel", async (string key, BroadcastService broadcasts, CancellationToken ct) => Results.Ok(await broadcasts.CancelAsync(key, ct)));
    }
}
