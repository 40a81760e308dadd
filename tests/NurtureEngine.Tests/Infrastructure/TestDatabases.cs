using Microsoft.EntityFrameworkCore;
using Npgsql;
using NurtureEngine.Data;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL per test run: the schema is migrated once into a template database, and every
/// test gets a fresh copy (CREATE DATABASE ... TEMPLATE), which takes a few milliseconds.
/// </summary>
public static class TestDatabases
{
    private const string Template = "nurture_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _templateReady;

    public static async Task<string> CreateAsync()
    {
        await EnsureTemplateAsync();
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync();
        await Gate.WaitAsync();
        try { await new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {Template}", conn).ExecuteNonQueryAsync(); }
        finally { Gate.Release(); }
        return ConnectionString(name);
    }

    /// <summary>An empty database (no schema): for start-up, migration and upgrade tests.</summary>
    public static async Task<string> CreateEmptyAsync()
    {
        var name = "e_" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {name}", conn).ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public static string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresServer) { Database = database, MaxPoolSize = 40, Pooling = true }.ConnectionString;

    private static async Task EnsureTemplateAsync()
    {
        if (_templateReady) return;
        await Gate.WaitAsync();
        try
        {
            if (_templateReady) return;
            await using (var conn = new NpgsqlConnection(ConnectionString("postgres")))
            {
                await conn.OpenAsync();
                await new NpgsqlCommand($"DROP DATABASE IF EXISTS {Template} WITH (FORCE)", conn).ExecuteNonQueryAsync();
                await new NpgsqlCommand($"CREATE DATABASE {Template}", conn).ExecuteNonQueryAsync();
            }
            var options = new DbContextOptionsBuilder<NurtureDbContext>()
                .UseNpgsql(ConnectionString(Template), o => o.MigrationsHistoryTable("__ef_migrations_history", NurtureDbContext.Schema))
                .UseSnakeCaseNamingConvention().Options;
            await using (var db = new NurtureDbContext(options)) await db.Database.MigrateAsync();
            NpgsqlConnection.ClearAllPools();
            _templateReady = true;
        }
        finally { Gate.Release(); }
    }
}
