using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using NurtureEngine.Data;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Operations;

/// <summary>
/// An installation made by the previous release (its migration set) is upgraded by starting the new
/// one: the pending migrations apply at start-up and the data is still there and usable. One made by
/// the development migrations squashed into <c>Initial</c> is refused with what to do.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class UpgradeTests
{
    [Fact]
    public async Task ADatabaseOfThePreviousMigrationSet_IsUpgradedAtStartUp_AndKeepsItsData()
    {
        var connectionString = await TestDatabases.CreateEmptyAsync();
        var options = new DbContextOptionsBuilder<NurtureDbContext>()
            .UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__ef_migrations_history", NurtureDbContext.Schema))
            .UseSnakeCaseNamingConvention().Options;
        string previous;
        await using (var db = new NurtureDbContext(options))
        {
            var migrations = db.Database.GetMigrations().ToList();
            // The second-to-last migration is the previous release's schema; with one migration only,
            // this degenerates to upgrading from that first one to itself.
            previous = migrations.Count >= 2 ? migrations[^2] : migrations[0];
            await db.GetService<IMigrator>().MigrateAsync(previous);
            Assert.Equal(migrations.Count >= 2, (await db.Database.GetPendingMigrationsAsync()).Any());
        }
        var leadId = Guid.NewGuid();
        await ExecuteAsync(connectionString, $"""
            INSERT INTO nurture.pipeline (key, name, is_default) VALUES ('default', 'Old pipeline', true);
            INSERT INTO nurture.stage (pipeline_id, key, name, position, probability, kind)
              SELECT id, s.key, s.name, s.position, s.probability, 'Open' FROM nurture.pipeline,
                (VALUES ('lead', 'Lead', 0, 10), ('mql', 'MQL', 1, 20)) AS s(key, name, position, probability);
            INSERT INTO nurture.lead (id, email, email_normalized, first_name, tags, attributes, pipeline_id, stage_id, stage_entered_at,
                                      score, status, soft_bounces, created_at, updated_at)
              SELECT '{leadId}', 'Old.Timer@Example.com', 'old.timer@example.com', 'Old', ARRAY['legacy'], '{"{"}"plan": "gold"{"}"}',
                     p.id, s.id, now(), 42, 'Subscribed', 0, now(), now()
              FROM nurture.pipeline p JOIN nurture.stage s ON s.pipeline_id = p.id AND s.key = 'lead';
            INSERT INTO nurture.activity (lead_id, kind, event_type, summary, data, at, recorded_at)
              VALUES ('{leadId}', 'created', 'created', 'Lead created', '{"{"}{"}"}', now(), now());
            """);

        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Nurture"] = connectionString });

        await using (var db = new NurtureDbContext(options))
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
        var lead = await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{leadId}");
        Assert.Equal("Old.Timer@Example.com", lead!["email"]!.GetValue<string>());
        Assert.Equal("lead", lead["stage"]!.GetValue<string>());
        Assert.Equal(42, lead["score"]!.GetValue<int>());
        Assert.Equal("gold", lead["attributes"]!["plan"]!.GetValue<string>());
        Assert.Equal(1, app.Db(db => db.Pipelines.Count())); // the demo seed leaves an existing installation alone
        var moved = await app.Api().PostAsJsonAsync($"/api/v1/leads/{leadId}/stage", new { stage = "mql" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(["created", "stage_changed"], await app.KindsAsync(leadId.ToString()));
    }

    [Fact]
    public async Task ADatabaseOfTheMigrationsSquashedIntoInitial_IsRefusedAtStartUp_SayingToRecreateIt()
    {
        var connectionString = await TestDatabases.CreateEmptyAsync();
        // What a development build before the squash left behind (e.g. in ./run.sh's .data): its history, its tables.
        await ExecuteAsync(connectionString, """
            CREATE SCHEMA nurture;
            CREATE TABLE nurture.__ef_migrations_history (migration_id varchar(150) PRIMARY KEY, product_version varchar(32) NOT NULL);
            INSERT INTO nurture.__ef_migrations_history VALUES ('20261123123719_Initial', '10.0.0'), ('20261203130000_LeadNameSortIndex', '10.0.0');
            CREATE TABLE nurture.lead (id uuid PRIMARY KEY);
            """);

        await using var app = WorkerProcess.Start(connectionString, "all");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WaitUntilReadyAsync());

        Assert.Contains("20261123123719_Initial … 20261203130000_LeadNameSortIndex", refused.Message);
        Assert.Contains("Recreate the database (with ./run.sh: stop it with ./run.sh --stop-db and delete the .data folder)", refused.Message);
        Assert.DoesNotContain("already exists", refused.Message);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await new NpgsqlCommand(sql, conn).ExecuteNonQueryAsync();
    }
}
