using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace NurtureEngine.Data;

/// <summary>
/// Two requests creating the same key at the same moment: the unique index lets one in, and the other's
/// unique violation is retried (at most twice more), when the row exists and the save becomes an update.
/// </summary>
public static class CreateRace
{
    public static async Task<T> RetryAsync<T>(NurtureDbContext db, Func<Task<T>> save)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await save();
            }
            catch (DbUpdateException e) when (attempt < 3 && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
