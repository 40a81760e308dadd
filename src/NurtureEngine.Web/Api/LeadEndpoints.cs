using NurtureEngine.Common;
using NurtureEngine.Leads;

namespace NurtureEngine.Web.Api;

public static class LeadEndpoints
{
    public sealed class StageBody
    {
        public string? Stage { get; set; }
        public string? Pipeline { get; set; }
    }

    public static void MapLeads(this RouteGroupBuilder api)
    {
        api.MapPost("/leads", async (HttpRequest request, LeadService leads, CancellationToken ct) =>
        {
            var input = await JsonBody.ReadAsync<LeadInput>(request, ct);
            var result = await leads.UpsertAsync(input, StageChangeCause.Created, ct);
            return ApiEndpoints.Stored(result.Lead, result.Created, $"/api/v1/leads/{result.Lead.Id}");
        });

        api.MapGet("/leads", async (LeadService leads, CancellationToken ct, string? stage, string? pipeline, int? minScore,
            string? owner, string? tag, string? status, string? q, string? email, int? limit, string? cursor, string? sort) =>
            Results.Ok(await leads.ListAsync(new LeadQuery(stage, pipeline, minScore, owner, tag, status, q, email, limit ?? 50, cursor, Sort: sort), ct)));

        api.MapGet("/leads/{id}", async (string id, LeadService leads, CancellationToken ct) =>
            ApiEndpoints.ParseId(id) is { } g && await leads.GetAsync(g, ct) is { } lead ? Results.Ok(lead) : throw new NotFoundException("Lead"));

        api.MapDelete("/leads/{id}", async (string id, LeadEraser eraser, CancellationToken ct) =>
            ApiEndpoints.ParseId(id) is { } g && await eraser.EraseAsync(g, ct) ? Results.NoContent() : throw new NotFoundException("Lead"));

        api.MapPost("/leads/{id}/stage", async (string id, HttpRequest request, LeadService leads, CancellationToken ct) =>
        {
            var leadId = ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Lead");
            var body = await JsonBody.ReadAsync<StageBody>(request, ct);
            if (!Slug.IsKey(body.Stage)) throw new ValidationException("stage", "a stage key is required");
            return Results.Ok(await leads.ChangeStageAsync(leadId, body.Stage!, body.Pipeline, StageChangeCause.Api, ct));
        });

        api.MapGet("/leads/{id}/export", async (string id, LeadPrivacy privacy, CancellationToken ct) =>
            Results.Ok(await privacy.ExportAsync(ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Lead"), ct)));

        api.MapGet("/leads/{id}/timeline", async (string id, LeadService leads, CancellationToken ct, int? limit) =>
        {
            var leadId = ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Lead");
            return Results.Ok(await leads.TimelineAsync(leadId, Math.Clamp(limit ?? 500, 1, 5000), ct));
        });
    }
}
