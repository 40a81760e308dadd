using CsvHelper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Imports;
using NurtureEngine.Leads;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Imports;

/// <summary>
/// CSV export of the lead list as filtered, streamed page by page (keyset paging, so memory stays
/// flat). Every text cell is neutralised against formula injection.
/// </summary>
public sealed class ExportModel(LeadService leads, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public LeadFilter Filter { get; set; } = new();

    private static readonly string[] Header =
        ["id", "email", "firstName", "lastName", "company", "jobTitle", "phone", "timeZone", "source", "dealValue", "owner", "tags", "pipeline", "stage", "score", "status", "createdAt"];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        LeadPage page;
        try { page = await leads.ListAsync(Filter.ToQuery(null, 500), ct); }
        catch (ValidationException e) { return BadRequest(e.Message); }
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"leads-{clock.GetUtcNow():yyyyMMdd-HHmm}.csv\"";
        await using var csv = CsvWriter.Create(Response.Body, new CsvWriterOptions { WriteByteOrderMark = true }, true);
        await csv.WriteRecordAsync(Header, ct);
        while (true)
        {
            foreach (var l in page.Items)
                await csv.WriteRecordAsync(
                [
                    l.Id.ToString(), CsvSafe.Cell(l.Email), CsvSafe.Cell(l.FirstName), CsvSafe.Cell(l.LastName), CsvSafe.Cell(l.CompanyName),
                    CsvSafe.Cell(l.JobTitle), CsvSafe.Cell(l.Phone), CsvSafe.Cell(l.TimeZone), CsvSafe.Cell(l.Source),
                    l.DealValue?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", CsvSafe.Cell(l.Owner), CsvSafe.Cell(string.Join(";", l.Tags)),
                    l.Pipeline, l.Stage, l.Score.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Status, l.CreatedAt.ToString("O"),
                ], ct);
            if (page.NextCursor is null) break;
            page = await leads.ListAsync(Filter.ToQuery(page.NextCursor, 500), ct);
        }
        await csv.FlushAsync(ct);
        return new EmptyResult();
    }
}
