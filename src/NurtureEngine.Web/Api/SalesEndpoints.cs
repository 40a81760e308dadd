using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Sales;

namespace NurtureEngine.Web.Api;

/// <summary>API.md "Companies and deals": companies, deals, the forecast and the sales report.</summary>
public static class SalesEndpoints
{
    public static void MapSales(this RouteGroupBuilder api)
    {
        api.MapPost("/companies", async (HttpRequest request, CompanyService companies, CancellationToken ct) =>
        {
            var (company, created) = await companies.UpsertAsync(await JsonBody.ReadAsync<CompanyInput>(request, ct), ct);
            return ApiEndpoints.Stored(company, created, $"/api/v1/companies/{company.Id}");
        });
        api.MapGet("/companies", async (string? q, int? limit, CompanyService companies, CancellationToken ct) =>
            Results.Ok(new { items = await companies.ListAsync(q, limit ?? 50, ct) }));
        api.MapGet("/companies/{id}", async (string id, int? timelineLimit, CompanyService companies, CancellationToken ct) =>
            ApiEndpoints.ParseId(id) is { } g && await companies.GetAsync(g, Math.Clamp(timelineLimit ?? 200, 1, 2000), ct) is { } c
                ? Results.Ok(c) : throw new NotFoundException("Company"));

        api.MapPost("/deals", async (HttpRequest request, DealService deals, CancellationToken ct) =>
        {
            var deal = await deals.CreateAsync(await JsonBody.ReadAsync<DealInput>(request, ct), StageChangeCause.Api, ct);
            return Results.Created($"/api/v1/deals/{deal.Id}", deal);
        });
        api.MapGet("/deals", async (DealService deals, CancellationToken ct, string? pipeline, string? stage, string? owner,
            string? companyId, string? leadId, string? status, int? limit, string? cursor) =>
            Results.Ok(await deals.PageAsync(new DealQuery(pipeline, stage, owner, OptionalId(companyId, "companyId"),
                OptionalId(leadId, "leadId"), status, limit ?? 50, cursor), ct)));
        api.MapGet("/deals/{id}", async (string id, DealService deals, CancellationToken ct) =>
            ApiEndpoints.ParseId(id) is { } g && await deals.GetAsync(g, ct) is { } d ? Results.Ok(d) : throw new NotFoundException("Deal"));
        api.MapPatch("/deals/{id}", async (string id, HttpRequest request, DealService deals, CancellationToken ct) =>
        {
            var dealId = ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Deal");
            return Results.Ok(await deals.UpdateAsync(dealId, await JsonBody.ReadAsync<DealInput>(request, ct), StageChangeCause.Api, ct));
        });
        api.MapPost("/deals/{id}/stage", async (string id, HttpRequest request, DealService deals, CancellationToken ct) =>
        {
            var dealId = ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Deal");
            return Results.Ok(await deals.ChangeStageAsync(dealId, await JsonBody.ReadAsync<DealStageInput>(request, ct), StageChangeCause.Api, ct));
        });

        api.MapGet("/leads/{id}/handoffs", async (string id, HandoffDesk desk, CancellationToken ct) =>
            Results.Ok(new { items = await desk.ListAsync(ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Lead"), ct) }));
        api.MapPost("/leads/{id}/handoff/accept", async (string id, HttpRequest request, HandoffDesk desk, CancellationToken ct) =>
        {
            var input = await AnswerAsync(request, ct);
            return Results.Ok(await desk.AcceptAsync(ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Lead"), input.By ?? "api", ct));
        });
        api.MapPost("/leads/{id}/handoff/reject", async (string id, HttpRequest request, HandoffDesk desk, CancellationToken ct) =>
        {
            var input = await AnswerAsync(request, ct);
            return Results.Ok(await desk.RejectAsync(ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Lead"), input.Reason, input.RecycleTo,
                input.By ?? "api", StageChangeCause.Api, ct));
        });

        api.MapGet("/targets", async (SalesTargetService targets, CancellationToken ct) => Results.Ok(new { items = await targets.ListAsync(ct) }));
        api.MapPut("/targets/{owner}", async (string owner, HttpRequest request, SalesTargetService targets, CancellationToken ct) =>
            Results.Ok(await targets.SetAsync(owner, (await JsonBody.ReadAsync<TargetInput>(request, ct)).Monthly, ct)));
        api.MapDelete("/targets/{owner}", async (string owner, SalesTargetService targets, CancellationToken ct) =>
        {
            await targets.RemoveAsync(owner, ct);
            return Results.NoContent();
        });

        api.MapGet("/pipelines/{key}/forecast", async (string key, DateTimeOffset? from, DateTimeOffset? to, SalesReportService reports, CancellationToken ct) =>
            Results.Ok(await reports.ForecastAsync(key, from, to, ct)));
        api.MapGet("/reports/sales", async (string? pipeline, DateTimeOffset? from, DateTimeOffset? to, string? owner, SalesReportService reports, CancellationToken ct) =>
            Results.Ok(await reports.SalesAsync(pipeline, from, to, owner, ct)));
    }

    public sealed class TargetInput
    {
        /// <summary>The won amount the owner should close each month.</summary>
        public decimal? Monthly { get; set; }
    }

    public sealed class HandoffAnswer
    {
        public string? Reason { get; set; }
        public string? RecycleTo { get; set; }
        /// <summary>Who answered, for the timeline (default <c>api</c>).</summary>
        public string? By { get; set; }
    }

    /// <summary>The body is optional for an accept.</summary>
    private static async Task<HandoffAnswer> AnswerAsync(HttpRequest request, CancellationToken ct)
    {
        var input = request.HasJsonContentType() ? await JsonBody.ReadAsync<HandoffAnswer>(request, ct) : new HandoffAnswer();
        if (input.By is not null && !EmailAddress.IsValid(input.By)) throw new ValidationException("by", "must be an email address");
        return input;
    }

    private static Guid? OptionalId(string? value, string field) =>
        value is null ? null : Guid.TryParse(value, out var g) ? g : throw new ValidationException(field, "is not an id");
}
