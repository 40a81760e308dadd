using System.Text.Json.Nodes;
using NurtureEngine.Events;

namespace NurtureEngine.Web.Api;

public static class EventEndpoints
{
    public static void MapEvents(this RouteGroupBuilder api) =>
        api.MapPost("/events", async (HttpRequest request, EventService events, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<JsonObject>(request, ct, itemsCheckedBy: "events");
            var batch = EventBatch.From(body);
            return Results.Json(await events.IngestAsync(batch, ct), statusCode: StatusCodes.Status202Accepted);
        });
}
