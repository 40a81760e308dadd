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

        api.MapGet("/pipelines/{key}/forecast", async (string key, DateTimeOffset? from, DateTimeOffset? to, SalesReportService reports, CancellationToken ct) =>
            Results.Ok(await reports.ForecastAsync(key, from, to, ct)));
        api.MapGet("/reports/sales", async (string? pipeline, DateTimeOffset? from, DateTimeOffset? to, string? owner, SalesReportService reports, CancellationToken ct) =>
            Results.Ok(await reports.SalesAsync(pipeline, from, to, owner, ct)));
    }

    private static Guid? OptionalId(string? value, string field) =>
        value is null ? null : Guid.TryParse(value, out var g) ? g : throw new ValidationException(field, "is not an id");
}
