using NurtureEngine.Scoring;

namespace NurtureEngine.Web.Api;

public static class ScoringEndpoints
{
    public static void MapScoring(this RouteGroupBuilder api)
    {
        api.MapGet("/scoring", async (ScoringStore scoring, CancellationToken ct) => Results.Ok(await scoring.GetAsync(ct)));
        api.MapPut("/scoring", async (HttpRequest request, ScoringStore scoring, CancellationToken ct) =>
        {
            await scoring.PutAsync(await JsonBody.ReadAsync<ScoringConfig>(request, ct), ct);
            return Results.Ok(await scoring.GetAsync(ct));
        });
    }
}
