using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// Exactly-once under faults: several worker processes share the due work; one is killed with
/// SIGKILL mid-run. Every (lead, step) email arrives at the SMTP server once, except those the
/// engine itself recorded as outcome unknown, which are listed; none is lost.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class WorkerKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Leads = 1000;
    private NurtureApp _api = null!;
    private readonly List<WorkerProcess> _workers = [];
    private static readonly Dictionary<string, string> FastRecovery = new()
    {
        ["Nurture__SendLeaseSeconds"] = "4",
        ["Smtp__TimeoutSeconds"] = "3",
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
    public async Task ThreeWorkers_OneKilledMidRun_EveryEmailOnce_NoneLost()
    {
        for (var i = 0; i < 3; i++) _workers.Add(WorkerProcess.Start(_api.ConnectionString, settings: FastRecovery));
        // Ready when all three Hangfire servers have registered (start-up is slow on a loaded machine).
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM hangfire.server").Single())),
            n => n >= 3, 180, "three worker processes registered");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var emails = Enumerable.Range(0, Leads).Select(i => $"kill{i}.{tag}@example.com").ToList();
        var posting = Task.Run(async () =>
        {
            foreach (var chunk in emails.Chunk(100))
            {
                var response = await _api.Api().PostAsJsonAsync("/api/v1/events", new { events = chunk.Select(e => new { email = e, type = "signed_up" }) });
                response.EnsureSuccessStatusCode();
            }
        });

        // Kill one worker as soon as sending is under way, while leads are still arriving.
        var sentBeforeKill = await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Sent))), n => n >= 20, 120, "first sends");
        var victim = _workers[0];
        victim.Kill();
        output.WriteLine($"killed worker pid {victim.Id} after {sentBeforeKill} sends");
        await posting;

        // Every enrollment finishes, through the surviving workers.
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Enrollments.Count(e => e.Status == EnrollmentStatus.Active))),
            n => n == 0, 180, "all enrollments complete");
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Scheduled || m.Status == MessageStatus.Sending))),
            n => n == 0, 60, "outbox drained");

        var unknown = _api.Db(db => db.Messages.Where(m => m.Status == MessageStatus.Unknown).Select(m => new { m.ToAddress, m.StepId }).ToList());
        var received = emails.ToDictionary(e => e, e => MailSink.For(e).Select(m => m.Message.Subject ?? "").ToList());
        int duplicates = 0, missing = 0, sent = 0;
        foreach (var email in emails)
        {
            var subjects = received[email];
            sent += subjects.Count;
            foreach (var (step, prefix) in new[] { ("welcome", "Welcome"), ("nudge", "Did you get") })
            {
                var count = subjects.Count(s => s.StartsWith(prefix));
                var isUnknown = unknown.Any(u => u.ToAddress == email && u.StepId == step);
                if (count > 1) duplicates++;
                if (count == 0 && !isUnknown) missing++;
            }
        }
        output.WriteLine($"leads {Leads}, emails expected {Leads * 2}, received {sent}, duplicates {duplicates}, missing {missing}, outcome unknown {unknown.Count}");
        foreach (var u in unknown) output.WriteLine($"  outcome unknown: {u.ToAddress} step {u.StepId}");

        Assert.Equal(0, duplicates);
        Assert.Equal(0, missing);
        Assert.True(sent >= Leads * 2 - unknown.Count, $"received {sent}");
        Assert.Equal(Leads * 2, _api.Db(db => db.Messages.Count()));
    }
}
