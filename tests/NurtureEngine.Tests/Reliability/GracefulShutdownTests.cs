using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// SIGTERM to a worker process mid-run (a deploy, a scale-down), with a relay slow enough (0.2 s a
/// message) that the signal always lands mid-batch: in-flight sends finish, the rest of its batch
/// is handed back at once; it exits cleanly holding nothing (no message <c>sending</c> or leased by
/// it, none "unknown"); the other worker sends the rest, each email once. And SIGTERM while a send
/// is held mid-transaction by the relay: that send ends as sent, the rest goes back at once.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Leads = 300;
    private NurtureApp _api = null!;
    private readonly List<WorkerProcess> _workers = [];

    public async Task InitializeAsync() => _api = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });

    public async Task DisposeAsync()
    {
        foreach (var w in _workers) await w.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task ASigTermedWorker_LeavesNothingLeasedOrSending_AndTheOtherSendsTheRestOnce()
    {
        (await _api.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse("""
            { "name": "Welcome", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "welcome", "type": "email", "template": "welcome" },
                         { "id": "pause", "type": "wait", "duration": "PT3S" },
                         { "id": "nudge", "type": "email", "template": "follow-up" } ] }
            """))).EnsureSuccessStatusCode();
        // A long lease: anything the stopped worker kept would visibly stay stuck for the whole test.
        var settings = new Dictionary<string, string> { ["Nurture__SendLeaseSeconds"] = "600", ["Nurture__BatchSize"] = "50" };
        for (var i = 0; i < 2; i++) _workers.Add(WorkerProcess.Start(_api.ConnectionString, settings: settings));
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM hangfire.server").Single())),
            n => n >= 2, 180, "two worker processes registered");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var emails = Enumerable.Range(0, Leads).Select(i => $"term{i}.{tag}@sluggish.test").ToList();
        foreach (var chunk in emails.Chunk(100))
            (await _api.Api().PostAsJsonAsync("/api/v1/events", new { events = chunk.Select(e => new { email = e, type = "signed_up" }) })).EnsureSuccessStatusCode();

        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Sent))), n => n >= 20, 120, "first sends");
        var stopped = _workers[0];
        var exitCode = await stopped.TerminateAsync();
        output.WriteLine($"worker {stopped.Id} exited with {exitCode} after SIGTERM");
        Assert.Equal(0, exitCode);

        var owner = $"{stopped.Id}:%";
        var held = _api.Db(db => db.Messages.Count(m => EF.Functions.Like(m.LeaseOwner!, owner) && (m.Status == MessageStatus.Sending || m.Status == MessageStatus.Scheduled)));
        Assert.Equal(0, held);

        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Enrollments.Count(e => e.Status == EnrollmentStatus.Active))),
            n => n == 0, 240, "all enrollments complete");
        try
        {
            await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Scheduled || m.Status == MessageStatus.Sending))),
                n => n == 0, 120, "outbox drained");
        }
        catch (TimeoutException)
        {
            foreach (var m in _api.Db(db => db.Messages.Where(m => m.Status == MessageStatus.Scheduled || m.Status == MessageStatus.Sending).Take(10).ToList()))
                output.WriteLine($"stuck: {m.Id} {m.Status} owner {m.LeaseOwner} until {m.LeaseUntil:O} attempts {m.Attempts} not before {m.NotBefore:O}");
            output.WriteLine(_workers[1].Output[^Math.Min(_workers[1].Output.Length, 20_000)..]);
            throw;
        }

        var unknown = _api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Unknown));
        int received = 0, duplicates = 0, lost = 0;
        foreach (var email in emails)
        {
            var subjects = MailSink.For(email).Select(m => m.Message.Subject ?? "").ToList();
            received += subjects.Count;
            foreach (var prefix in new[] { "Welcome", "Did you get" })
            {
                var count = subjects.Count(s => s.StartsWith(prefix));
                if (count > 1) duplicates++;
                if (count == 0) lost++;
            }
        }
        output.WriteLine($"leads {Leads}, emails expected {Leads * 2}, received {received}, duplicates {duplicates}, lost {lost}, outcome unknown {unknown}");
        Assert.Equal(0, duplicates);
        Assert.Equal(0, unknown);
        Assert.Equal(0, lost);
    }

    /// <summary>
    /// SIGTERM while the worker's only SMTP connection is mid-transaction (the relay holds its reply
    /// to the final dot until the test lets it go) and a second batch of its waits behind it: the
    /// send in flight ends as sent, not cancelled into "unknown"; what the worker claimed but never
    /// started goes back at once; it exits holding nothing, and a worker started after it sends the
    /// rest, each email once.
    /// </summary>
    [Fact]
    public async Task ASigTermMidTransaction_FinishesTheSendInFlight_HandsBackTheRest_AndEachEmailGoesOnce()
    {
        var settings = new Dictionary<string, string>
        {
            ["Nurture__SendLeaseSeconds"] = "600", ["Smtp__MaxConnections"] = "1", ["Smtp__TimeoutSeconds"] = "120",
            ["Logging__LogLevel__NurtureEngine.Mail.OutboxSender"] = "Information",
        };
        var stopped = WorkerProcess.Start(_api.ConnectionString, settings: settings);
        _workers.Add(stopped);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var held = $"held.{tag}@held.test";
        await _api.CreateLeadAsync(new { email = held });
        // The message is on the relay, which holds its reply: the send is in flight.
        var inFlight = Assert.Single(await MailSink.WaitForAsync(held, 1, 180));
        var rest = Enumerable.Range(0, 20).Select(i => $"rest{i}.{tag}@example.com").ToList();
        (await _api.Api().PostAsJsonAsync("/api/v1/events", new { events = rest.Select(e => new { email = e, type = "signed_up" }) })).EnsureSuccessStatusCode();
        var owner = $"{stopped.Id}:%";
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => EF.Functions.Like(m.LeaseOwner!, owner)))),
            n => n == 1 + rest.Count, 120, "the stopped worker holds the held email and has claimed the rest");

        var exit = stopped.TerminateAsync();
        await Eventually.GetAsync(() => Task.FromResult(stopped.Output), o => o.Contains("Shutting down: no new sends"), 60, "the worker saw the SIGTERM");
        File.Create(Path.ChangeExtension(inFlight.Path, ".release")).Dispose(); // the relay answers 250 now
        Assert.Equal(0, await exit);
        output.WriteLine(stopped.Output);

        Assert.Equal(0, _api.Db(db => db.Messages.Count(m => EF.Functions.Like(m.LeaseOwner!, owner) || m.Status == MessageStatus.Sending)));
        var sent = _api.Db(db => db.Messages.Single(m => m.ToAddress == held));
        Assert.Equal(MessageStatus.Sent, sent.Status);
        Assert.Equal(1, sent.Attempts);

        _workers.Add(WorkerProcess.Start(_api.ConnectionString, settings: settings));
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Sent))),
            n => n == 1 + rest.Count, 180, "the other worker sent the rest");
        Assert.Equal(0, _api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Unknown)));
        Assert.Single(MailSink.For(held));
        foreach (var email in rest) Assert.Single(MailSink.For(email));
    }
}
