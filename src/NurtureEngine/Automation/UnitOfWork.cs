using Microsoft.EntityFrameworkCore;
using Npgsql;
using NurtureEngine.Data;

namespace NurtureEngine.Automation;

/// <summary>
/// One transaction per input: domain rows, timeline rows and scheduled work commit together.
/// Nudges for the workers are sent only after the commit, so a worker never looks before the
/// rows it is nudged about are visible.
/// A unit that lost a race for a row (a stale lead refused by its concurrency token, a deadlock) is run
/// again from the start on fresh rows, so no concurrent writer's change is ever overwritten or lost.
/// </summary>
public sealed class UnitOfWork(NurtureDbContext db, IDueWorkSignal signal, TimeProvider clock)
{
    private DateTimeOffset? _earliestDue;
    private readonly List<Action> _afterCommit = [];

    /// <summary>Due work was created; nudge the workers after commit.</summary>
    public void WorkDueAt(DateTimeOffset at)
    {
        if (_earliestDue is null || at < _earliestDue) _earliestDue = at;
    }

    public void WorkDueNow() => WorkDueAt(clock.GetUtcNow());

    /// <summary>Runs <paramref name="action"/> once the unit has committed; forgotten if it rolls back (and so not run by a retry's first attempt).</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    private const int MaxAttempts = 5;

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work(ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunOnceAsync(work, ct);
            }
            catch (Exception e) when (attempt < MaxAttempts && LostRace(e))
            {
                // RunOnceAsync forgot everything it had loaded: the next attempt reads the winner's rows.
            }
        }
    }

    /// <summary>A write refused because another transaction changed the row first, or a deadlock PostgreSQL broke.</summary>
    public static bool LostRace(Exception e) => e switch
    {
        DbUpdateConcurrencyException => true,
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure } => true,
        DbUpdateException { InnerException: { } inner } => LostRace(inner),
        InvalidOperationException { InnerException: PostgresException inner } => LostRace(inner),
        _ => false,
    };

    private async Task<T> RunOnceAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
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
                _afterCommit.Clear();
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
        foreach (var action in _afterCommit) action();
        _afterCommit.Clear();
        if (_earliestDue is not { } at) return;
        _earliestDue = null;
        await signal.NudgeAsync(at, ct);
    }
}
