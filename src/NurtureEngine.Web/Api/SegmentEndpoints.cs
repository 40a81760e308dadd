using NurtureEngine.Common;
using NurtureEngine.Segments;

namespace NurtureEngine.Web.Api;

public static class SegmentEndpoints
{
    public sealed class EnrollBody
    {
        public string? Sequence { get; set; }
    }

    public static void MapSegments(this RouteGroupBuilder api)
    {
        api.MapPut("/segments/{key}", async (string key, HttpRequest request, SegmentService segments, CancellationToken ct) =>
        {
            var (segment, created) = await segments.PutAsync(key, await JsonBody.ReadAsync<SegmentInput>(request, ct), ct);
            return ApiEndpoints.Stored(segment, created, $"/api/v1/segments/{key}");
        });
        api.MapPost("/segments/count", async (HttpRequest request, SegmentService segments, CancellationToken ct) =>
            Results.Ok(new { members = await segments.CountAsync((await JsonBody.ReadAsync<SegmentInput>(request, ct)).Filter, ct) }));
        api.MapGet("/segments", async (SegmentService segments, CancellationToken ct) => Results.Ok(await segments.ListAsync(ct)));
        api.MapGet("/segments/{key}", async (string key, SegmentService segments, CancellationToken ct) =>
            await segments.GetAsync(key, ct) is { } s ? Results.Ok(s) : throw new NotFoundException($"Segment '{key}'"));
        api.MapGet("/segments/{key}/leads", async (string key, SegmentService segments, CancellationToken ct, int? limit, string? cursor) =>
            Results.Ok(await segments.LeadsAsync(key, limit ?? 50, cursor, ct)));
        api.MapPost("/segments/{key}/enroll", async (string key, HttpRequest request, SegmentService segments, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<EnrollBody>(request, ct);
            if (!Slug.IsKey(body.Sequence)) throw new ValidationException("sequence", "a sequence key is required");
            return Results.Ok(new { enrolled = await segments.EnrollAllAsync(key, body.Sequence!, ct) });
        });
    }
}
