using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>
/// A batch of due steps that fails is rerun one enrollment at a time, and only that batch: the enrollment at
/// fault is stopped with the reason, the others go on, work outside the batch waits for the next one, and a
/// transient database fault stops nothing (the step stays due and runs once the database is back). The faults
/// are injected in PostgreSQL itself (a trigger on the timeline table), as a real one would arrive.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FailedBatchTests : IAsyncLifetime
{
    private const int BatchSize = 3;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web", ["Nurture:BatchSize"] = BatchSize.ToString() }, _clock);
        await _app.QuietDemoSequencesAsync();
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/drip", new
        {
            name = "Drip", trigger = new { type = "manual" },
            steps = new object[] { new { id = "hi", type = "email", template = "welcome" }, new { id = "pause", type = "wait", duration = "P1D" } },
        })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Enrolls a lead; each a second after the last, so they are claimed in this order.</summary>
    private async Task<Guid> EnrolledAsync(string name)
    {
        var id = Guid.Parse((await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail(name) }))["id"]!.GetValue<string>());
        (await _app.Api().PostAsJsonAsync("/api/v1/sequences/drip/enroll", new { leadId = id })).EnsureSuccessStatusCode();
        _clock.Advance(TimeSpan.FromSeconds(1));
        return id;
    }

    /// <summary>Queuing this lead's email raises <paramref name="first"/> once, then <paramref name="then"/> every time.</summary>
    private async Task FaultAsync(Guid lead, string first, string then)
    {
        await using var conn = new NpgsqlConnection(_app.ConnectionString);
        await conn.OpenAsync();
        await new NpgsqlCommand($"""
            CREATE SEQUENCE IF NOT EXISTS test_fault_count;
            CREATE OR REPLACE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF nextval('test_fault_count') = 1 THEN RAISE EXCEPTION 'injected fault' USING ERRCODE = '{first}'; END IF;
              RAISE EXCEPTION 'injected fault' USING ERRCODE = '{then}';
            END $$;
            CREATE TRIGGER test_fault BEFORE INSERT ON nurture.activity FOR EACH ROW
              WHEN (NEW.lead_id = '{lead}' AND NEW.kind = 'email_scheduled') EXECUTE FUNCTION test_fault();
            """, conn).ExecuteNonQueryAsync();
    }

    private async Task HealAsync()
    {
        await using var conn = new NpgsqlConnection(_app.ConnectionString);
        await conn.OpenAsync();
        await new NpgsqlCommand("DROP TRIGGER test_fault ON nurture.activity", conn).ExecuteNonQueryAsync();
    }

    private async Task<int> RunOneBatchAsync()
    {
        using var scope = _app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<SequenceRunner>().RunDueBatchAsync(CancellationToken.None);
    }

    private int Queued(Guid lead) => _app.Db(db => db.Messages.Count(m => m.LeadId == lead));
    private EnrollmentStatus Status(Guid lead) => _app.Db(db => db.Enrollments.AsNoTracking().Single(e => e.LeadId == lead).Status);

    [Fact]
    public async Task AnEnrollmentThatFails_IsStoppedAlone_WithTheReason_AndOnlyItsBatchIsRunOneByOne()
    {
        var bad = await EnrolledAsync("bad");
        var good = new List<Guid>();
        for (var i = 0; i < 6; i++) good.Add(await EnrolledAsync($"good{i}"));
        await FaultAsync(bad, "P0001", "P0001"); // a fault of this enrollment's own, every time

        await RunOneBatchAsync();

        // The batch was bad + the first two: they ran one by one; the four after it were not touched.
        Assert.Equal(EnrollmentStatus.Failed, Status(bad));
        Assert.Equal(0, Queued(bad));
        Assert.Equal([1, 1, 0, 0, 0, 0], good.Select(Queued));
        var exited = _app.Db(db => db.Activities.AsNoTracking().Where(a => a.LeadId == bad && a.Kind == "exited").Select(a => a.Summary).ToList());
        Assert.Contains("injected fault", Assert.Single(exited));

        await _app.RunDueStepsAsync();
        Assert.All(good, g => Assert.Equal(1, Queued(g)));
    }

    [Fact]
    public async Task ATransientDatabaseFault_InTheOneByOneRun_FailsNothing_AndTheStepRunsOnceTheDatabaseIsBack()
    {
        var flaky = await EnrolledAsync("flaky");
        var good = await EnrolledAsync("good");
        // The batch fails for a reason of the item's own; rerun alone, the database is going away (57P01).
        await FaultAsync(flaky, "P0001", "57P01");

        await RunOneBatchAsync();

        Assert.Equal(EnrollmentStatus.Active, Status(flaky));
        Assert.Equal(0, Queued(flaky));
        Assert.Equal(1, Queued(good));
        Assert.DoesNotContain("exited", await _app.KindsAsync(flaky.ToString()));

        await HealAsync();
        await _app.RunDueStepsAsync();
        Assert.Equal(1, Queued(flaky));
        Assert.Equal(EnrollmentStatus.Active, Status(flaky)); // now waiting at the wait step
    }
}
