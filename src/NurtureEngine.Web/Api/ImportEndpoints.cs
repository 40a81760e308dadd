using NurtureEngine.Common;
using NurtureEngine.Imports;

namespace NurtureEngine.Web.Api;

public static class ImportEndpoints
{
    /// <summary>An extension: a CSV import's progress, and its summary once finished (imports start in the admin).</summary>
    public static void MapImports(this RouteGroupBuilder api) =>
        api.MapGet("/imports/{id}", async (string id, LeadImportService imports, CancellationToken ct) =>
            Results.Ok(await imports.GetAsync(ApiEndpoints.ParseId(id) ?? throw new NotFoundException("Import"), ct) ?? throw new NotFoundException("Import")));
}
