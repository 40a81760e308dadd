using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Automation;

/// <summary>
/// One transaction per input: domain rows, timeline rows and scheduled work commit together.
/// Nudges for the workers are sent only after the commit, so a worker never looks before the
/// rows it is nudged about are visible.
/// </summary>
public sealed class UnitOfWork(NurtureDbContext db, IDueWorkSignal signal, TimeProvider clock)
{
    private DateTimeOffset? _earliestDue;

    /// <summary>Due work was created; nudge the workers after commit.</summary>
    public void WorkDueAt(DateTimeOffset at)
    {
        if (_earliestDue is null || at < _earliestDue) _earliestDue = at;
    }

    public void WorkDueNow() => WorkDueAt(clock.GetUtcNow());

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work(ct);
        T result;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                result = await work(ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch
            {
                db.ChangeTracker.Clear();
                _earliestDue = null;
                throw;
            }
        }
        await FlushAsync(ct);
        return result;
    }

    public Task RunAsync(Func<CancellationToken, Task> work, CancellationToken ct) =>
        RunAsync(async c => { await work(c); return true; }, ct);

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_earliestDue is not { } at) return;
        _earliestDue = null;
        await signal.NudgeAsync(at, ct);
    }
}
