using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Imports;

/// <summary>An import as its status page shows it: progress while it runs, the summary once done.</summary>
public sealed record LeadImportProgress(
    Guid Id, string FileName, string CreatedBy, DateTimeOffset CreatedAt, LeadImportStatus Status, int TotalRows, int ProcessedRows,
    ImportSummary Summary, string? Failure, DateTimeOffset? FinishedAt)
{
    public bool Finished => Status is LeadImportStatus.Done or LeadImportStatus.Failed;
    public int Percent => TotalRows == 0 ? 100 : (int)(100L * ProcessedRows / TotalRows);
}

/// <summary>Starts imports (stored in PostgreSQL, run by <see cref="LeadImportJob"/>) and reports on them.</summary>
public sealed class LeadImportService(NurtureDbContext db, IBackgroundJobClient jobs, TimeProvider clock)
{
    /// <summary>Stores the confirmed file and mapping as a queued import and hands it to the workers.</summary>
    public async Task<Guid> StartAsync(string createdBy, string fileName, byte[] csv, IReadOnlyList<string> mapping, DuplicateMode duplicates, CancellationToken ct)
    {
        LeadImporter.RequireEmail(mapping);
        var rows = LeadImporter.Preview(new MemoryStream(csv, writable: false), rows: 0).RowCount;
        if (rows > LeadImporter.MaxRows) throw new ValidationException("file", $"has {rows:N0} rows; at most {LeadImporter.MaxRows:N0} rows per file");
        var import = new LeadImport
        {
            CreatedBy = createdBy, CreatedAt = clock.GetUtcNow(), FileName = Path.GetFileName(fileName) is { Length: > 0 and <= 260 } name ? name : "import.csv",
            Csv = csv, MappingJson = Json.Serialize(mapping), Duplicates = duplicates, TotalRows = rows,
        };
        db.LeadImports.Add(import);
        await db.SaveChangesAsync(ct);
        jobs.Enqueue<LeadImportJob>(j => j.RunAsync(import.Id, CancellationToken.None));
        return import.Id;
    }

    /// <summary>The import's progress; the row errors too once it has finished.</summary>
    public async Task<LeadImportProgress?> GetAsync(Guid id, CancellationToken ct)
    {
        var import = db.LeadImports.AsNoTracking().Where(i => i.Id == id);
        var progress = await Project(import).SingleOrDefaultAsync(ct);
        if (progress is not { Finished: true }) return progress;
        var errors = Json.Deserialize<List<ImportRowError>>(await import.Select(i => i.ErrorsJson).SingleAsync(ct));
        return progress with { Summary = progress.Summary with { Errors = errors } };
    }

    /// <summary>The latest imports, newest first, without their row errors.</summary>
    public async Task<IReadOnlyList<LeadImportProgress>> RecentAsync(int limit, CancellationToken ct) =>
        await Project(db.LeadImports.AsNoTracking().OrderByDescending(i => i.CreatedAt).Take(limit)).ToListAsync(ct);

    private static IQueryable<LeadImportProgress> Project(IQueryable<LeadImport> imports) => imports.Select(i => new LeadImportProgress(
        i.Id, i.FileName, i.CreatedBy, i.CreatedAt, i.Status, i.TotalRows, i.ProcessedRows,
        new ImportSummary(i.ProcessedRows, i.Created, i.Updated, i.Skipped, i.Failed, Array.Empty<ImportRowError>()), i.Failure, i.FinishedAt));
}
