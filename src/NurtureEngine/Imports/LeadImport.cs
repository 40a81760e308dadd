namespace NurtureEngine.Imports;

public enum LeadImportStatus { Queued, Running, Done, Failed }

/// <summary>
/// A CSV import confirmed by a user: the file and its mapping, and the progress a worker has
/// committed so far. The counts move in the same transaction as the leads of each chunk, so a worker
/// that dies mid-file leaves them exactly matching the rows done, and the next run resumes there.
/// A run owns the import while <see cref="ClaimedBy"/> is its token and the lease has not run out.
/// </summary>
public sealed class LeadImport
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string FileName { get; set; }
    public required byte[] Csv { get; set; }
    /// <summary>The target of each column, in column order (JSON array of strings).</summary>
    public required string MappingJson { get; set; }
    public DuplicateMode Duplicates { get; set; }
    public LeadImportStatus Status { get; set; } = LeadImportStatus.Queued;
    public int TotalRows { get; set; }
    public int ProcessedRows { get; set; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Skipped { get; set; }
    /// <summary>Every row that failed; <see cref="ErrorsJson"/> keeps the first <see cref="LeadImportJob.StoredErrors"/> of them.</summary>
    public int Failed { get; set; }
    public string ErrorsJson { get; set; } = "[]";
    /// <summary>Why the import stopped, when it did (the rows' own problems are in <see cref="ErrorsJson"/>).</summary>
    public string? Failure { get; set; }
    public int Attempts { get; set; }
    public Guid? ClaimedBy { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
