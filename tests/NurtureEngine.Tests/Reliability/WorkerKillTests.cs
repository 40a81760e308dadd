using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// Exactly-once at scale and under faults (issue 4): three worker processes (separate OS processes,
/// one database) share 10,000 enrolled leads, each due two emails a few seconds apart. Every
/// (lead, step) email arrives at the SMTP server once. Then the same with one worker killed with
/// SIGKILL mid-run: no duplicate, and none missing except those the engine itself recorded as
/// outcome unknown, which are listed.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class WorkerKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Leads = 10_000;
    /// <summary>Generous: the whole run takes minutes on a loaded 2-core machine.</summary>
    private const int DeadlineSeconds = 3600;
    private NurtureApp _api = null!;
    private readonly List<WorkerProcess> _workers = [];
    /// <summary>
    /// Short leases, so a killed worker's email is settled in seconds. The SMTP timeout bounds how long a killed worker's
    /// in-flight group stays "sending"; with no kill it is long, because a sink starved on a loaded machine can take more than
    /// a few seconds to answer DATA, and an email that timed out there would rightly be "unknown" rather than a defect.
    /// </summary>
    private static Dictionary<string, string> FastRecovery(bool killOne) => new()
    {
        ["Nurture__SendLeaseSeconds"] = "4",
        ["Smtp__TimeoutSeconds"] = killOne ? "3" : "60",
        ["Nurture__BatchSize"] = "50",
    };

    public async Task InitializeAsync()
    {
        // The API host only (role web): all sending is done by the worker processes.
        _api = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        var put = await _api.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse("""
            { "name": "Welcome", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "welcome", "type": "email", "template": "welcome" },
                         { "id": "pause", "type": "wait", "duration": "PT3S" },
                         { "id": "nudge", "type": "email", "template": "follow-up" } ] }
            """));
        put.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        foreach (var w in _workers) await w.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public Task ThreeWorkers_TenThousandLeads_EveryEmailArrivesExactlyOnce() => RunAsync(killOne: false);

    [Fact]
    public Task ThreeWorkers_OneKilledMidRun_NoDuplicate_NoneMissingExceptThoseRecordedUnknown() => RunAsync(killOne: true);

    private async Task RunAsync(bool killOne)
    {
        for (var i = 0; i < 3; i++) _workers.Add(WorkerProcess.Start(_api.ConnectionString, settings: FastRecovery(killOne)));
        // Ready when all three Hangfire servers have registered (start-up is slow on a loaded machine).
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM hangfire.server").Single())),
            n => n >= 3, 180, "three worker processes registered");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var emails = Enumerable.Range(0, Leads).Select(i => $"x{i}.{tag}@example.com").ToList();
        var clock = Stopwatch.StartNew();
        await BulkLeads.EnrollAsync(_api, "welcome", emails);
        output.WriteLine($"{Leads} leads enrolled in {clock.Elapsed.TotalSeconds:0.0} s");

        if (killOne)
        {
            // Kill one worker once sending is well under way.
            var sentBeforeKill = await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Sent))),
                n => n >= 500, DeadlineSeconds, "first sends");
            var victim = _workers[0];
            victim.Kill();
            output.WriteLine($"killed worker pid {victim.Id} after {sentBeforeKill} sends, at {clock.Elapsed.TotalSeconds:0} s");
        }

        // Every enrollment finishes, through the (surviving) workers.
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Enrollments.Count(e => e.Status == EnrollmentStatus.Active))),
            n => n == 0, DeadlineSeconds, "all enrollments complete");
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Scheduled || m.Status == MessageStatus.Sending))),
            n => n == 0, DeadlineSeconds, "outbox drained");
        var elapsed = clock.Elapsed;

        var unknown = _api.Db(db => db.Messages.Where(m => m.Status == MessageStatus.Unknown).Select(m => new { m.ToAddress, m.StepId, m.Error }).ToList());
        var received = MailSink.Envelopes(tag).ToLookup(e => e.To);
        int duplicates = 0, missing = 0;
        foreach (var email in emails)
        {
            var subjects = received[email].Select(e => e.Subject).ToList();
            foreach (var (step, words) in new[] { ("welcome", "Welcome"), ("nudge", "did you get") })
            {
                var count = subjects.Count(s => s.Contains(words, StringComparison.OrdinalIgnoreCase));
                var isUnknown = unknown.Any(u => u.ToAddress == email && u.StepId == step);
                if (count > 1) { duplicates++; output.WriteLine($"  DUPLICATE: {email} step {step} x{count}"); }
                if (count == 0 && !isUnknown) { missing++; output.WriteLine($"  MISSING: {email} step {step}"); }
            }
        }
        var sent = received.Sum(g => g.Count());
        output.WriteLine($"leads {Leads}, workers 3{(killOne ? " (one killed)" : "")}, emails expected {Leads * 2}, received {sent}, " +
            $"duplicates {duplicates}, missing {missing}, outcome unknown {unknown.Count}; all done in {elapsed.TotalSeconds:0} s " +
            $"({Leads * 2 / elapsed.TotalSeconds:0} emails/s)");
        foreach (var u in unknown) output.WriteLine($"  outcome unknown (recorded, not resent): {u.ToAddress} step {u.StepId}: {u.Error}");

        Assert.Equal(0, duplicates);
        Assert.Equal(0, missing);
        Assert.True(sent >= Leads * 2 - unknown.Count, $"received {sent}");
        Assert.Equal(Leads * 2, _api.Db(db => db.Messages.Count()));
        if (!killOne) Assert.Empty(unknown);
    }
}
