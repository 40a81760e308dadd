using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Imports;

namespace NurtureEngine.Web.Pages.Imports;

/// <summary>
/// CSV import in two steps: upload (preview + a guessed column mapping), then confirm, which queues
/// the import for the workers and shows its progress page. Between the steps the file waits in a
/// private temp folder under a random name; once confirmed it lives in the database.
/// </summary>
[RequestSizeLimit(MaxBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxBytes)]
public sealed class IndexModel(LeadImportService imports) : PageModel
{
    public const long MaxBytes = 50 * 1024 * 1024;
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "nurture-imports");

    [BindProperty] public string? ImportId { get; set; }
    [BindProperty] public string? FileName { get; set; }
    [BindProperty] public List<string> Mapping { get; set; } = [];
    [BindProperty] public DuplicateMode Duplicates { get; set; } = DuplicateMode.Update;
    public CsvPreview? Preview { get; private set; }
    public IReadOnlyList<LeadImportProgress> Recent { get; private set; } = [];
    public string? Error { get; private set; }

    public static readonly IReadOnlyList<string> Targets = ["", .. LeadImporter.Fields];

    public async Task OnGetAsync(CancellationToken ct) => Recent = await imports.RecentAsync(20, ct);

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
        var csv = await System.IO.File.ReadAllBytesAsync(PathOf(ImportId), ct);
        try
        {
            var id = await imports.StartAsync(User.Identity!.Name!, FileName ?? "import.csv", csv, Mapping.Select(m => m ?? "").ToList(), Duplicates, ct);
            System.IO.File.Delete(PathOf(ImportId));
            return RedirectToPage("Status", new { id });
        }
        catch (ValidationException e)
        {
            Error = e.Message;
            Preview = LeadImporter.Preview(new MemoryStream(csv, writable: false));
            return Page();
        }
    }

    private static string PathOf(string id) => Path.Combine(Folder, id + ".csv");
}
