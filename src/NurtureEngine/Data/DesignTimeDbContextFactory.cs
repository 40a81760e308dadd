using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace NurtureEngine.Data;

/// <summary>For <c>dotnet ef migrations add</c>: no database is contacted.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<NurtureDbContext>
{
    public NurtureDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<NurtureDbContext>()
        .UseNpgsql("Host=localhost;Database=nurture_design", o => o.MigrationsHistoryTable("__ef_migrations_history", NurtureDbContext.Schema))
        .UseSnakeCaseNamingConvention().Options);
}
