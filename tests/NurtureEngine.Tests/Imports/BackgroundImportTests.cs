using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NurtureEngine.Imports;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Imports;

/// <summary>
/// Large CSV imports run by the workers a chunk at a time (issue 6): the progress committed with
/// each chunk's leads is what the status page shows, and a run cut off mid-file is resumed by the
/// next one with every row counted once.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class BackgroundImportTests(ITestOutputHelper output)
{
    private static readonly string[] Mapping = ["email", "firstName"];

    [Fact]
    public async Task TwoThousandRows_ProgressMovesChunkByChunk_ToACorrectSummary()
    {
        await using var app = await NurtureApp.StartAsync();
        const int rows = 2_000;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var bad = new[] { 7, 507, 1007, 1507 };
        await app.CreateLeadAsync(new { email = Email(tag, 10), firstName = "Before" });
        var csv = Csv(rows, i => bad.Contains(i) ? $"not-an-email-{i}" : Email(tag, i));

        var clock = Stopwatch.StartNew();
        Guid id;
        using (var scope = app.Services.CreateScope())
            id = await scope.ServiceProvider.GetRequiredService<LeadImportService>()
                .StartAsync("admin@nurture.test", "big.csv", csv, Mapping, DuplicateMode.Update, CancellationToken.None);
        var seen = new List<int>();
        var done = await Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.LeadImports.AsNoTracking().Single(i => i.Id == id))), i =>
        {
            seen.Add(i.ProcessedRows);
            return i.Status == LeadImportStatus.Done;
        }, 600, "the import done");
        output.WriteLine($"{rows} rows imported in {clock.Elapsed.TotalSeconds:0.0} s; processed_rows seen: {string.Join(", ", seen.Distinct())}");

        // Progress moves only by whole chunks (each committed with its leads) and is seen between 0 and the end.
        Assert.All(seen, n => Assert.True(n % LeadImportJob.ChunkSize == 0 || n == rows, $"processed_rows {n} is not a chunk boundary"));
        Assert.Contains(seen, n => n is > 0 and < rows);
        Assert.Equal(rows, done.TotalRows);
        Assert.Equal(rows, done.ProcessedRows);
        Assert.Equal((rows - bad.Length - 1, 1, 0, bad.Length), (done.Created, done.Updated, done.Skipped, done.Failed));
        Assert.Equal(rows - bad.Length, app.Db(db => db.Leads.Count(l => l.Email.Contains(tag))));

        using (var scope = app.Services.CreateScope())
        {
            var summary = (await scope.ServiceProvider.GetRequiredService<LeadImportService>().GetAsync(id, CancellationToken.None))!.Summary;
            Assert.Equal(bad.Select(i => i + 2), summary.Errors.Select(e => e.Row)); // line numbers: the header is line 1
            Assert.Equal("not-an-email-507", summary.Errors[1].Email);
        }

        // The same through the API.
        var api = await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/imports/{id}");
        Assert.Equal(("done", rows, 100), (api!["status"]!.GetValue<string>(), api["processedRows"]!.GetValue<int>(), api["percent"]!.GetValue<int>()));
        Assert.Equal(bad.Length, api["summary"]!["errors"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api().GetAsync($"/api/v1/imports/{Guid.NewGuid()}")).StatusCode);

        // The status page is for those who may import: a marketer sees it, a sales rep is turned away.
        await AdminClient.CreateUserAsync(app, "marketer@nurture.test", "Marketer-password-1", "Marketer");
        await AdminClient.CreateUserAsync(app, "rep@nurture.test", "Rep-password-12", "SalesRep");
        using var marketer = await AdminClient.SignInAsync(app, "marketer@nurture.test", "Marketer-password-1");
        using var rep = await AdminClient.SignInAsync(app, "rep@nurture.test", "Rep-password-12");
        var shown = await marketer.Http.GetAsync($"/imports/{id}");
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains($"<progress id=\"progress\" value=\"{rows}\" max=\"{rows}\"", await shown.Content.ReadAsStringAsync());
        var refused = await rep.Http.GetAsync($"/imports/{id}");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/account/denied", refused.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task RunCutOffAfterTheFirstChunk_IsResumedByTheNextRun_EveryRowCountedOnce()
    {
        // The web role: no Hangfire server, the test runs the job itself.
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        const int rows = 1_200;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var blocker = Email(tag, LeadImportJob.ChunkSize); // the first row of the second chunk
        await app.CreateLeadAsync(new { email = blocker, firstName = "Before" });
        var id = Queue(app, Csv(rows, i => Email(tag, i)), Mapping, rows);

        // The second chunk's update of the blocker waits on this lock; the first chunk commits meanwhile.
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var lockTx = await connection.BeginTransactionAsync();
        await using (var select = new NpgsqlCommand("SELECT 1 FROM nurture.lead WHERE email_normalized = @e FOR UPDATE", connection, lockTx))
        {
            select.Parameters.AddWithValue("e", blocker);
            await select.ExecuteScalarAsync();
        }
        using var cut = new CancellationTokenSource();
        var first = RunJobAsync(app, id, cut.Token);
        await Eventually.GetAsync(() => Task.FromResult(Import(app, id).ProcessedRows), n => n > 0, 120, "the first chunk committed");

        // A second run meanwhile finds the import claimed and leaves it alone.
        await RunJobAsync(app, id, CancellationToken.None);
        Assert.False(first.IsCompleted);

        await cut.CancelAsync(); // the run dies in its second chunk, which rolls back
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await lockTx.RollbackAsync();
        var cutOff = Import(app, id);
        Assert.Equal((LeadImportStatus.Running, LeadImportJob.ChunkSize, LeadImportJob.ChunkSize, 0), (cutOff.Status, cutOff.ProcessedRows, cutOff.Created, cutOff.Updated));
        Assert.Equal("Before", app.Db(db => db.Leads.Single(l => l.EmailNormalized == blocker).FirstName));

        await RunJobAsync(app, id, CancellationToken.None);
        var done = Import(app, id);
        Assert.Equal((LeadImportStatus.Done, rows, rows - 1, 1, 0, 0), (done.Status, done.ProcessedRows, done.Created, done.Updated, done.Skipped, done.Failed));
        Assert.Equal(rows, app.Db(db => db.Leads.Count(l => l.Email.Contains(tag))));
        Assert.Equal("First500", app.Db(db => db.Leads.Single(l => l.EmailNormalized == blocker).FirstName));
        Assert.Null(done.ClaimedBy);
    }

    [Fact]
    public async Task ARunThatFails_LeavesTheImportToTheNextRun_AndTheLastAllowedRunMarksItFailed()
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        // A mapping without email (refused when an import is started) makes every run fail before its first row.
        var id = Queue(app, Csv(3, i => Email("failing", i)), ["firstName"], 3);

        await Assert.ThrowsAsync<NurtureEngine.Common.ValidationException>(() => RunJobAsync(app, id, CancellationToken.None));
        var retried = Import(app, id);
        Assert.Equal((LeadImportStatus.Running, 1, null, null), (retried.Status, retried.Attempts, retried.ClaimedBy, retried.Failure));

        for (var run = 2; run <= LeadImportJob.MaxRuns; run++)
            await Assert.ThrowsAsync<NurtureEngine.Common.ValidationException>(() => RunJobAsync(app, id, CancellationToken.None));
        var failed = Import(app, id);
        Assert.Equal((LeadImportStatus.Failed, LeadImportJob.MaxRuns, 0), (failed.Status, failed.Attempts, failed.ProcessedRows));
        Assert.Contains("map one column to email", failed.Failure);
        Assert.NotNull(failed.FinishedAt);
        await RunJobAsync(app, id, CancellationToken.None); // a failed import is not taken up again
        Assert.Equal(LeadImportJob.MaxRuns, Import(app, id).Attempts);
    }

    [Fact]
    public async Task AnImportWhoseHandOffWasLost_IsHandedOutByTheSweep_OnceItHasWaitedAMinute()
    {
        // The web process stored the import and died before enqueueing its job.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" }, clock);
        var id = Queue(app, Csv(3, i => Email("orphan", i)), Mapping, 3, clock.GetUtcNow());

        await SweepAsync(app);
        Assert.Equal(0, HandedOut(app, id)); // it may still be on its way

        clock.Advance(LeadImportJob.Unclaimed + TimeSpan.FromSeconds(1));
        await SweepAsync(app);
        Assert.Equal(1, HandedOut(app, id));

        await RunJobAsync(app, id, CancellationToken.None); // what the handed-out job does
        Assert.Equal((LeadImportStatus.Done, 3), (Import(app, id).Status, Import(app, id).Created));
        await SweepAsync(app);
        Assert.Equal(1, HandedOut(app, id)); // a finished import is left alone
    }

    private static async Task SweepAsync(NurtureApp app)
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<LeadImportJob>().SweepAsync(CancellationToken.None);
    }

    /// <summary>Jobs waiting in Hangfire's queue to run this import (the web role runs none itself).</summary>
    private static int HandedOut(NurtureApp app, Guid id) => app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi()
        .EnqueuedJobs("default", 0, 1_000).Count(j => j.Value.Job?.Type == typeof(LeadImportJob) && j.Value.Job.Args.FirstOrDefault() is Guid g && g == id);

    /// <summary>An import as confirming the mapping stores it, without handing it to Hangfire (the test runs the job).</summary>
    private static Guid Queue(NurtureApp app, byte[] csv, string[] mapping, int rows, DateTimeOffset? createdAt = null) => app.Db(db =>
    {
        var import = new LeadImport
        {
            CreatedBy = "admin@nurture.test", CreatedAt = createdAt ?? DateTimeOffset.UtcNow, FileName = "test.csv", Csv = csv,
            MappingJson = NurtureEngine.Common.Json.Serialize(mapping), Duplicates = DuplicateMode.Update, TotalRows = rows,
        };
        db.LeadImports.Add(import);
        db.SaveChanges();
        return import.Id;
    });

    private static async Task RunJobAsync(NurtureApp app, Guid id, CancellationToken ct)
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<LeadImportJob>().RunAsync(id, ct);
    }

    private static LeadImport Import(NurtureApp app, Guid id) => app.Db(db => db.LeadImports.AsNoTracking().Single(i => i.Id == id));

    private static string Email(string tag, int row) => $"row{row}.{tag}@example.com";

    private static byte[] Csv(int rows, Func<int, string> email)
    {
        var csv = new StringBuilder("Email,First name\n");
        for (var i = 0; i < rows; i++) csv.Append(email(i)).Append(",First").Append(i).Append('\n');
        return Encoding.UTF8.GetBytes(csv.ToString());
    }
}
