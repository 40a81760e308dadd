using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using NurtureEngine.ApiKeys;
using NurtureEngine.Demo;
using NurtureEngine.Settings;

namespace NurtureEngine.Data;

/// <summary>
/// Start-up: applies migrations, creates roles, the first admin and the bootstrap API key, and seeds
/// the demo workspace, all under one PostgreSQL advisory lock so that any number of processes
/// starting at once do it exactly once.
/// </summary>
public sealed partial class DatabaseInitializer(IServiceProvider services, IOptions<NurtureOptions> options, IHostEnvironment environment,
    ILogger<DatabaseInitializer> logger)
{
    private const long AdvisoryLockKey = 0x4e757274757265; // "Nurture"
    public static readonly string[] Roles = ["Admin", "Marketer", "SalesRep"];

    public async Task InitializeAsync(CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        // Waiting for the lock lasts as long as another process's migrations, and a migration may
        // rebuild an index on a big table: neither may hit the 30 s default command timeout.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
            // Index builds on a large existing table (e.g. the lead search index) outlast the default 30 s.
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
            await EnsureHistoryTableAsync(db, ct);
            await RefuseSquashedHistoryAsync(db, ct);
            await db.Database.MigrateAsync(ct);
            await EnsureRolesAndAdminAsync(scope.ServiceProvider, ct);
            if (options.Value.BootstrapApiKey is { Length: > 0 } key)
                await scope.ServiceProvider.GetRequiredService<ApiKeyService>().EnsureAsync("bootstrap", key, ct);
            if (options.Value.SeedDemo ?? environment.IsDevelopment())
                await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedIfEmptyAsync(ct);
            if (options.Value.SeedDemoSales ?? environment.IsDevelopment())
                await scope.ServiceProvider.GetRequiredService<Sales.SalesDemoSeeder>().SeedIfEmptyAsync(ct);
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The migrations-history table, made before EF looks for it: on an empty database EF's first probe
    /// of the missing table is logged as a failed command ("fail: … __ef_migrations_history"), the
    /// first thing a newcomer would see. Same shape as EF's own (snake_case names).
    /// </summary>
    private static Task EnsureHistoryTableAsync(NurtureDbContext db, CancellationToken ct) => db.Database.ExecuteSqlRawAsync($"""
        CREATE SCHEMA IF NOT EXISTS {NurtureDbContext.Schema};
        CREATE TABLE IF NOT EXISTS {NurtureDbContext.Schema}.__ef_migrations_history (
            migration_id character varying(150) NOT NULL,
            product_version character varying(32) NOT NULL,
            CONSTRAINT pk___ef_migrations_history PRIMARY KEY (migration_id));
        """, ct);

    /// <summary>
    /// The migrations made before the first release were squashed into one <c>Initial</c>: a database they made
    /// (e.g. an early <c>./run.sh</c>'s <c>.data</c>) has history without it, and migrating it would fail on the
    /// first table that already exists. Say so, and what to do, instead.
    /// </summary>
    private static async Task RefuseSquashedHistoryAsync(NurtureDbContext db, CancellationToken ct)
    {
        var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
        var initial = db.Database.GetMigrations().First();
        if (applied.Count > 0 && !applied.Contains(initial))
            throw new InvalidOperationException(
                $"This database was made by a development build whose migrations ({applied[0]} … {applied[^1]}) were since squashed into " +
                $"{initial}; it cannot be upgraded. Recreate the database (with ./run.sh: stop it with ./run.sh --stop-db and delete the .data folder), " +
                "then start again.");
    }

    private async Task EnsureRolesAndAdminAsync(IServiceProvider sp, CancellationToken ct)
    {
        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles)
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));

        var users = sp.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.Users.AnyAsync(ct)) return;
        var admin = options.Value.BootstrapAdmin;
        var email = admin.Email ?? "admin@nurture.local";
        var password = admin.Password;
        if (string.IsNullOrEmpty(password))
        {
            if (!environment.IsDevelopment()) { LogNoAdmin(logger); return; }
            password = "Dev-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) + "!";
            LogDevAdmin(logger, email, password);
        }
        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded) throw new InvalidOperationException("Could not create the first admin: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, "Admin");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No user exists and Nurture:BootstrapAdmin:Password is not set: nobody can sign in to the admin yet.")]
    static partial void LogNoAdmin(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the first admin {Email} with password {Password} (development only; set Nurture:BootstrapAdmin to choose)")]
    static partial void LogDevAdmin(ILogger logger, string email, string password);
}
