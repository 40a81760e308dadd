using System.Text.Json.Nodes;
using NurtureEngine.Common;
using NurtureEngine.Inbound;
using NurtureEngine.Leads;
using NurtureEngine.Suppressions;

namespace NurtureEngine.Web.Api;

/// <summary>Delivery feedback by HTTP and the suppression list (API.md "Inbound mail"; suppressions are an extension).</summary>
public static class DeliveryEndpoints
{
    public sealed class SuppressionBody
    {
        public string? Email { get; set; }
        public string? Reason { get; set; }
    }

    public static void MapDelivery(this RouteGroupBuilder api)
    {
        api.MapPost("/webhooks/delivery", async (HttpRequest request, DeliveryWebhookService webhook, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<JsonObject>(request, ct);
            return Results.Json(await webhook.IngestAsync(body, ct), Json.Options, statusCode: StatusCodes.Status202Accepted);
        });

        api.MapGet("/suppressions", async (SuppressionList list, CancellationToken ct, string? email, int? limit, long? after) =>
            Results.Ok(new { items = await list.ListAsync(email, limit ?? 100, after, ct) }));

        api.MapPost("/suppressions", async (HttpRequest request, SuppressionList list, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<SuppressionBody>(request, ct);
            if (!EmailAddress.IsValid(body.Email)) throw new ValidationException("email", "a valid email address is required");
            if (body.Reason is { Length: > 500 }) throw new ValidationException("reason", "at most 500 characters");
            var created = await list.AddAsync(body.Email!, "manual", string.IsNullOrWhiteSpace(body.Reason) ? "added by hand" : body.Reason.Trim(), ct);
            var stored = (await list.ListAsync(body.Email, 1, null, ct)).Single();
            return ApiEndpoints.Stored(stored, created, $"/api/v1/suppressions?email={Uri.EscapeDataString(stored.Email!)}");
        });

        api.MapDelete("/suppressions/{emailOrHash}", async (string emailOrHash, SuppressionList list, CancellationToken ct) =>
            await list.RemoveAsync(emailOrHash, ct) ? Results.NoContent() : throw new NotFoundException("Suppression"));
    }
}
