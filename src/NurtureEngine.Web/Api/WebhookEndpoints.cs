using NurtureEngine.Common;
using NurtureEngine.Webhooks;

namespace NurtureEngine.Web.Api;

/// <summary>Outbound webhooks (an extension of API.md; see README "Webhooks").</summary>
public static class WebhookEndpoints
{
    public static void MapWebhookSubscriptions(this RouteGroupBuilder api)
    {
        api.MapGet("/webhooks/subscriptions", async (WebhookService webhooks, CancellationToken ct) => Results.Ok(await webhooks.ListAsync(ct)));
        api.MapGet("/webhooks/subscriptions/{key}", async (string key, WebhookService webhooks, CancellationToken ct) =>
            Results.Ok(await webhooks.GetAsync(key, ct)));
        api.MapPut("/webhooks/subscriptions/{key}", async (string key, HttpRequest request, WebhookService webhooks, CancellationToken ct) =>
        {
            var (subscription, created) = await webhooks.PutAsync(key, await JsonBody.ReadAsync<WebhookSubscriptionInput>(request, ct), ct);
            return ApiEndpoints.Stored(subscription, created, $"/api/v1/webhooks/subscriptions/{key}");
        });
        api.MapDelete("/webhooks/subscriptions/{key}", async (string key, WebhookService webhooks, CancellationToken ct) =>
        {
            await webhooks.DeleteAsync(key, ct);
            return Results.NoContent();
        });
        api.MapGet("/webhooks/deliveries", async (WebhookService webhooks, CancellationToken ct, string? subscription, string? status, int? limit) =>
            Results.Ok(await webhooks.DeliveriesAsync(subscription, status, limit ?? 100, ct)));
        api.MapPost("/webhooks/deliveries/{id}/replay", async (string id, WebhookService webhooks, CancellationToken ct) =>
            Results.Json(await webhooks.ReplayAsync(ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Webhook delivery"), ct),
                statusCode: StatusCodes.Status202Accepted));
    }
}
