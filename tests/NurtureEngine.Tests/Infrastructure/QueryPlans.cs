using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NurtureEngine.Data;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// The plans PostgreSQL chose for the queries EF really sends: a context whose every reader command is first run
/// as <c>EXPLAIN</c> with the same parameters, the plan kept, and then run as usual. For tests that an index serves a query.
/// </summary>
public sealed class QueryPlans : DbCommandInterceptor
{
    private readonly List<string> _plans = [];

    public IReadOnlyList<string> Plans => _plans;

    public NurtureDbContext Context(NurtureApp app) => new(new DbContextOptionsBuilder<NurtureDbContext>()
        .UseNpgsql(app.ConnectionString).UseSnakeCaseNamingConvention().AddInterceptors(this).Options);

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken ct = default)
    {
        await using var explain = command.Connection!.CreateCommand();
        explain.Transaction = command.Transaction;
        explain.CommandText = "EXPLAIN " + command.CommandText;
        foreach (DbParameter p in command.Parameters) explain.Parameters.Add(((ICloneable)p).Clone());
        var lines = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) lines.Add(reader.GetString(0));
        _plans.Add(string.Join('\n', lines));
        return result;
    }
}
