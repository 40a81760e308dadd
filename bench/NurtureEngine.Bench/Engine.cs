using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Demo;

namespace NurtureEngine.Bench;

/// <summary>The bench environment: server connection string (no database), SMTP sink, sizes.</summary>
public sealed record BenchEnv(string ServerConnection, string SmtpHost, int SmtpPort, bool Quick, int SmtpConnections, string? ArrivalLog, string? WebDll, int AppPort)
{
    public string Db(string database, int maxPool = 50) =>
        new NpgsqlConnectionStringBuilder(ServerConnection) { Database = database, MaxPoolSize = maxPool, NoResetOnClose = true }.ConnectionString;
}

/// <summary>The engine's real services on a database; due-work nudges are counted, not sent to Hangfire.</summary>
public sealed class Engine : IAsyncDisposable
{
    public ServiceProvider Services { get; }
    public string Connection { get; }

    private Engine(ServiceProvider services, string connection)
    {
        Services = services;
        Connection = connection;
    }

    public const string TemplateDb = "bench_template";

    /// <summary>Creates the template database once: migrated and seeded with the demo, as a fresh install.</summary>
    public static async Task PrepareTemplateAsync(BenchEnv env)
    {
        await AdminAsync(env, $"DROP DATABASE IF EXISTS {TemplateDb} WITH (FORCE)");
        await AdminAsync(env, $"CREATE DATABASE {TemplateDb}");
        await using (var engine = Create(env, TemplateDb))
        {
            using var scope = engine.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<NurtureDbContext>().Database.MigrateAsync();
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedIfEmptyAsync(CancellationToken.None);
        }
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>A fresh copy of the seeded template.</summary>
    public static async Task<Engine> FreshAsync(BenchEnv env, string name, IDictionary<string, string?>? extra = null)
    {
        await AdminAsync(env, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await AdminAsync(env, $"CREATE DATABASE {name} TEMPLATE {TemplateDb}");
        return Create(env, name, extra);
    }

    public static Engine Create(BenchEnv env, string database, IDictionary<string, string?>? extra = null)
    {
        var connection = env.Db(database);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Nurture"] = connection,
            ["Smtp:Host"] = env.SmtpHost,
            ["Smtp:Port"] = env.SmtpPort.ToString(),
            ["Smtp:Security"] = "None",
            ["Smtp:MaxConnections"] = env.SmtpConnections.ToString(),
            ["Nurture:PublicBaseUrl"] = "https://nurture.example",
        };
        if (Environment.GetEnvironmentVariable("BENCH_BATCH") is { } batch) settings["Nurture:BatchSize"] = batch;
        if (extra is not null) foreach (var (k, v) in extra) settings[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None));
        services.AddNurtureEngine(configuration);
        services.AddScoped<IDueWorkSignal, CountingSignal>();
        return new Engine(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false }), connection);
    }

    public static async Task AdminAsync(BenchEnv env, string sql)
    {
        await using var c = new NpgsqlConnection(env.Db("postgres", 5));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 600 };
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var c = new NpgsqlConnection(Connection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 1200 };
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecAsync(string sql)
    {
        await using var c = new NpgsqlConnection(Connection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 1200 };
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        NpgsqlConnection.ClearPool(new NpgsqlConnection(Connection));
    }
}

/// <summary>Stands in for the Hangfire nudge: the bench drives the runner and sender itself.</summary>
public sealed class CountingSignal : IDueWorkSignal
{
    public static long Nudges;
    public Task NudgeAsync(DateTimeOffset at, CancellationToken ct)
    {
        Interlocked.Increment(ref Nudges);
        return Task.CompletedTask;
    }
}
