using NurtureEngine.Common;
using NurtureEngine.Sequences;

namespace NurtureEngine.Web.Api;

public static class SequenceEndpoints
{
    public sealed class LeadRef
    {
        public string? LeadId { get; set; }
    }

    public static void MapSequences(this RouteGroupBuilder api)
    {
        api.MapPut("/sequences/{key}", async (string key, HttpRequest request, SequenceService sequences, CancellationToken ct) =>
        {
            var (sequence, created) = await sequences.PutAsync(key, await JsonBody.ReadAsync<SequenceDefinition>(request, ct), ct);
            return ApiEndpoints.Stored(sequence.ToJson(), created, $"/api/v1/sequences/{key}");
        });
        api.MapPost("/sequences/{key}/impact", async (string key, HttpRequest request, SequenceService sequences, CancellationToken ct) =>
            Results.Ok(await sequences.ImpactAsync(key, await JsonBody.ReadAsync<SequenceDefinition>(request, ct), ct)));
        api.MapPost("/sequences/{key}/simulate", async (string key, HttpRequest request, SequenceSimulator simulator, CancellationToken ct) =>
            Results.Ok(new { timeline = await simulator.RunAsync(key, await JsonBody.ReadAsync<SimulationInput>(request, ct), ct) }));
        api.MapGet("/sequences", async (SequenceService sequences, CancellationToken ct) => Results.Ok((await sequences.ListAsync(ct)).Select(s => s.ToJson())));
        api.MapGet("/sequences/{key}", async (string key, SequenceService sequences, CancellationToken ct) =>
            await sequences.GetAsync(key, ct) is { } s ? Results.Ok(s.ToJson()) : throw new NotFoundException($"Sequence '{key}'"));
        api.MapGet("/sequences/{key}/stats", async (string key, SequenceService sequences, CancellationToken ct) =>
            Results.Ok(new { steps = await sequences.StatsAsync(key, ct), variants = await sequences.VariantStatsAsync(key, ct) }));
        api.MapPost("/sequences/{key}/pause", async (string key, SequenceService sequences, CancellationToken ct) =>
        {
            await sequences.SetStatusAsync(key, SequenceStatus.Paused, ct);
            return Results.Ok((await sequences.GetAsync(key, ct))?.ToJson());
        });
        api.MapPost("/sequences/{key}/resume", async (string key, SequenceService sequences, CancellationToken ct) =>
        {
            await sequences.SetStatusAsync(key, SequenceStatus.Active, ct);
            return Results.Ok((await sequences.GetAsync(key, ct))?.ToJson());
        });
        api.MapPost("/sequences/{key}/enroll", async (string key, HttpRequest request, SequenceService sequences, CancellationToken ct) =>
        {
            var leadId = await ReadLeadIdAsync(request, ct);
            var enrolled = await sequences.EnrollAsync(key, leadId, ct);
            return Results.Ok(new { enrolled, reason = enrolled ? null : "the lead is already in this sequence, or has been and reenroll is off" });
        });
        api.MapPost("/sequences/{key}/unenroll", async (string key, HttpRequest request, SequenceService sequences, CancellationToken ct) =>
        {
            var leadId = await ReadLeadIdAsync(request, ct);
            return Results.Ok(new { unenrolled = await sequences.UnenrollAsync(key, leadId, ct) });
        });
    }

    private static async Task<Guid> ReadLeadIdAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<LeadRef>(request, ct);
        return Guid.TryParse(body.LeadId, out var id) ? id : throw new ValidationException("leadId", "a lead id is required");
    }
}
