using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Imports;

/// <summary>
/// Runs a confirmed import in the background, <see cref="ChunkSize"/> rows a transaction: each
/// chunk's leads and the import's progress and counts commit together, so a run that dies mid-file
/// is resumed by the next one from the rows done, each row counted once. A run first claims the
/// import with a lease (renewed by every chunk); a second run at the same time finds it claimed and
/// leaves it, and a chunk whose run lost the claim rolls back.
/// </summary>
public sealed class LeadImportJob(IServiceScopeFactory scopes, IBackgroundJobClient jobs, TimeProvider clock)
{
    public const int ChunkSize = 500, StoredErrors = 1_000, MaxRuns = 5;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Hangfire retries a failed run; the last allowed run that fails marks the import failed.</summary>
    [AutomaticRetry(Attempts = MaxRuns - 1)]
    [Queue("default")]
    public async Task RunAsync(Guid importId, CancellationToken ct)
    {
        var token = Guid.NewGuid();
        var run = await ClaimAsync(importId, token, ct);
        if (run is null) return; // finished, or another run holds it
        try
        {
            await ProcessAsync(importId, token, ct);
        }
        catch (Exception e)
        {
            await ReleaseAsync(importId, token, e is not OperationCanceledException && run >= MaxRuns ? e.Message[..Math.Min(e.Message.Length, 2000)] : null);
            throw;
        }
    }

    /// <summary>How long a queued import may wait unclaimed before the sweep hands it out again.</summary>
    public static readonly TimeSpan Unclaimed = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Once a minute: an import that no run holds is handed out again — one whose hand-off to Hangfire
    /// was lost (the web process died between storing it and enqueueing its job) or whose run died with
    /// its lease. Handing out twice is harmless: a second run finds the import claimed.
    /// </summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var now = clock.GetUtcNow();
        var waitedSince = now - Unclaimed;
        var orphans = await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().LeadImports
            .Where(i => (i.Status == LeadImportStatus.Queued || i.Status == LeadImportStatus.Running)
                && (i.LeaseUntil == null ? i.CreatedAt < waitedSince : i.LeaseUntil < now))
            .Select(i => i.Id).ToListAsync(ct);
        foreach (var id in orphans) jobs.Enqueue<LeadImportJob>(j => j.RunAsync(id, CancellationToken.None));
    }

    private async Task<int?> ClaimAsync(Guid id, Guid token, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var now = clock.GetUtcNow();
        var attempts = await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().Database.SqlQuery<int>($"""
            UPDATE nurture.lead_import SET status = 'Running', claimed_by = {token}, lease_until = {now + Lease},
                started_at = coalesce(started_at, {now}), attempts = attempts + 1
            WHERE id = {id} AND status IN ('Queued', 'Running') AND (lease_until IS NULL OR lease_until < {now})
            RETURNING attempts AS "Value"
            """).ToListAsync(ct);
        return attempts.Count == 1 ? attempts[0] : null;
    }

    private async Task ProcessAsync(Guid id, Guid token, CancellationToken ct)
    {
        LeadImport file;
        using (var scope = scopes.CreateScope())
            file = await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().LeadImports.AsNoTracking().SingleAsync(i => i.Id == id, ct);
        using var rows = LeadImporter.ReadRows(new MemoryStream(file.Csv, writable: false), Json.Deserialize<List<string>>(file.MappingJson)).GetEnumerator();
        // The rows an earlier run committed are passed over, remembering their emails for the in-file duplicates.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var done = 0; done < file.ProcessedRows && rows.MoveNext(); done++)
            if (rows.Current.Email is { } email) seen.Add(email);
        var storedErrors = Math.Min(file.Failed, StoredErrors);
        while (true)
        {
            var chunk = new List<ImportRow>(ChunkSize);
            while (chunk.Count < ChunkSize && rows.MoveNext()) chunk.Add(rows.Current);
            var last = chunk.Count < ChunkSize;
            storedErrors += await CommitChunkAsync(file, token, chunk, seen, storedErrors, last, ct);
            if (last) return;
        }
    }

    /// <summary>Imports the chunk and moves the import's progress in one transaction; returns the errors it stored.</summary>
    private async Task<int> CommitChunkAsync(LeadImport file, Guid token, List<ImportRow> chunk, ISet<string> seen, int storedErrors, bool last, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var importer = scope.ServiceProvider.GetRequiredService<LeadImporter>();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        return await scope.ServiceProvider.GetRequiredService<UnitOfWork>().RunAsync(async c =>
        {
            int created = 0, updated = 0, skipped = 0;
            var errors = new List<ImportRowError>();
            foreach (var row in chunk)
            {
                var (outcome, error) = await importer.ImportRowAsync(row, file.Duplicates, seen, c);
                // Saved and let go row by row: a context tracking the whole chunk makes every save scan it.
                await db.SaveChangesAsync(c);
                db.ChangeTracker.Clear();
                switch (outcome)
                {
                    case ImportOutcome.Created: created++; break;
                    case ImportOutcome.Updated: updated++; break;
                    case ImportOutcome.Skipped: skipped++; break;
                    default: errors.Add(new ImportRowError(row.Line, row.Input.Email ?? "", error!)); break;
                }
            }
            var stored = errors.Take(StoredErrors - storedErrors).ToList();
            var now = clock.GetUtcNow();
            var moved = await db.Database.ExecuteSqlAsync($"""
                UPDATE nurture.lead_import SET processed_rows = processed_rows + {chunk.Count},
                    created = created + {created}, updated = updated + {updated}, skipped = skipped + {skipped}, failed = failed + {errors.Count},
                    errors = errors || {Json.Serialize(stored)}::jsonb, lease_until = {now + Lease},
                    status = {(last ? nameof(LeadImportStatus.Done) : nameof(LeadImportStatus.Running))}, finished_at = {(last ? now : (DateTimeOffset?)null)},
                    claimed_by = {(last ? null : token)}
                WHERE id = {file.Id} AND claimed_by = {token}
                """, c);
            // Another run took the import over (this one outlived its lease): its work wins, this chunk rolls back.
            if (moved == 0) throw new InvalidOperationException($"lead import {file.Id} is no longer claimed by this run");
            return stored.Count;
        }, ct);
    }

    private async Task ReleaseAsync(Guid id, Guid token, string? failure)
    {
        using var scope = scopes.CreateScope();
        var now = clock.GetUtcNow();
        await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().Database.ExecuteSqlAsync($"""
            UPDATE nurture.lead_import SET claimed_by = NULL, lease_until = NULL, failure = {failure},
                status = {(failure is null ? nameof(LeadImportStatus.Running) : nameof(LeadImportStatus.Failed))}, finished_at = {(failure is null ? (DateTimeOffset?)null : now)}
            WHERE id = {id} AND claimed_by = {token}
            """, CancellationToken.None);
    }
}
