using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Imports;

namespace NurtureEngine.Web.Pages.Imports;

/// <summary>
/// CSV import in two steps: upload (preview + a guessed column mapping), then import (summary with
/// per-row errors). Between the steps the file waits in a private temp folder under a random name.
/// </summary>
[RequestSizeLimit(MaxBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxBytes)]
public sealed class IndexModel(LeadImporter importer) : PageModel
{
    public const long MaxBytes = 50 * 1024 * 1024;
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "nurture-imports");

    [BindProperty] public string? ImportId { get; set; }
    [BindProperty] public List<string> Mapping { get; set; } = [];
    [BindProperty] public DuplicateMode Duplicates { get; set; } = DuplicateMode.Update;
    public string? FileName { get; private set; }
    public CsvPreview? Preview { get; private set; }
    public ImportSummary? Summary { get; private set; }
    public string? Error { get; private set; }

    public static readonly IReadOnlyList<string> Targets = ["", .. LeadImporter.Fields];

    public void OnGet() { }

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0) { Error = "Choose a CSV file."; return Page(); }
        Directory.CreateDirectory(Folder);
        ImportId = Guid.NewGuid().ToString("N");
        await using (var target = System.IO.File.Create(PathOf(ImportId)))
            await file.CopyToAsync(target, ct);
        FileName = file.FileName;
        try
        {
            await using var stream = System.IO.File.OpenRead(PathOf(ImportId));
            Preview = LeadImporter.Preview(stream);
            Mapping = Preview.Headers.Select(LeadImporter.Guess).ToList();
        }
        catch (ValidationException e)
        {
            System.IO.File.Delete(PathOf(ImportId));
            Error = e.Message;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostRunAsync(CancellationToken ct)
    {
        if (ImportId is null || ImportId.Length != 32 || !ImportId.All(char.IsAsciiHexDigitLower) || !System.IO.File.Exists(PathOf(ImportId)))
        {
            Error = "That upload is gone (imported already, or too old). Upload the file again.";
            return Page();
        }
        try
        {
            await using (var stream = System.IO.File.OpenRead(PathOf(ImportId)))
                Summary = await importer.ImportAsync(stream, Mapping.Select(m => m ?? "").ToList(), Duplicates, ct);
            System.IO.File.Delete(PathOf(ImportId));
        }
        catch (ValidationException e)
        {
            Error = e.Message;
            await using var stream = System.IO.File.OpenRead(PathOf(ImportId));
            Preview = LeadImporter.Preview(stream);
        }
        return Page();
    }

    private static string PathOf(string id) => Path.Combine(Folder, id + ".csv");
}
