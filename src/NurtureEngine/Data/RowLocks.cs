using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NurtureEngine.Data;

/// <summary>
/// Read-modify-write of a row is serialised by the database. A query marked <see cref="ForUpdate{T}"/>
/// takes PostgreSQL row locks (<c>FOR UPDATE</c>) on what it reads, held until the transaction ends, so a
/// concurrent writer of the same lead waits for this one's commit and then reads its result. Queries that
/// lock several rows order them by id, so two writers always lock in the same order and never deadlock.
/// The lead's <c>xmin</c> concurrency token is the backstop: a write based on a stale read fails instead of
/// overwriting, and <see cref="Automation.UnitOfWork"/> runs the whole unit again on fresh rows.
/// </summary>
public static class RowLocks
{
    private const string Tag = "nurture:for-update";

    /// <summary>Locks the rows this query returns until the transaction ends (order by id when there are several).</summary>
    public static IQueryable<T> ForUpdate<T>(this IQueryable<T> query) => query.TagWith(Tag);

    /// <summary>Appends <c>FOR UPDATE</c> to the commands of queries tagged by <see cref="ForUpdate{T}"/>.</summary>
    public sealed class Interceptor : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Lock(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            Lock(command);
            return ValueTask.FromResult(result);
        }

        private static void Lock(DbCommand command)
        {
            if (command.CommandText.StartsWith("-- " + Tag, StringComparison.Ordinal))
                command.CommandText = command.CommandText.TrimEnd().TrimEnd(';') + "\nFOR UPDATE";
        }
    }
}
