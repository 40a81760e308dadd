using NurtureEngine.Events;

namespace NurtureEngine.Web.Api;

public static class EventEndpoints
{
    public static void MapEvents(this RouteGroupBuilder api) =>
        api.MapPost("/events", async (HttpRequest request, EventService events, CancellationToken ct) =>
        {
            var batch = await JsonBody.ReadAsync<EventBatch>(request, ct);
            return Results.Json(await events.IngestAsync(batch, ct), statusCode: StatusCodes.Status202Accepted);
        });
}
