using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Broadcasts;

/// <summary>
/// A broadcast to 10,000 leads shared by three worker processes (one database), one SIGKILLed mid-send:
/// every eligible lead has exactly one email at the SMTP server, excluded leads none, and a lead that
/// joins the audience after the start gets nothing. Only emails the engine itself recorded as outcome
/// unknown (the worker died during their SMTP transaction) may be missing, and they are listed.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class BroadcastWorkerKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Leads = 10_000;
    private const int DeadlineSeconds = 1800;
    private NurtureApp _api = null!;
    private readonly List<WorkerProcess> _workers = [];

    public async Task InitializeAsync()
    {
        _api = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        await _api.QuietDemoSequencesAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var w in _workers) await w.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task ThreeWorkers_OneKilledMidSend_EachEligibleLeadGetsExactlyOne()
    {
        var tag = "b" + Guid.NewGuid().ToString("N")[..8];
        var emails = Enumerable.Range(0, Leads).Select(i => $"r{i}.{tag}@example.com").ToList();
        await BulkLeads.CreateAsync(_api, emails, tag);
        var excluded = Enumerable.Range(0, 20).Select(i => $"gone{i}.{tag}@example.com").ToList();
        var excludedIds = await BulkLeads.CreateAsync(_api, excluded, tag);
        _api.Db(db => db.Leads.Where(l => excludedIds.Contains(l.Id)).ExecuteUpdate(u => u.SetProperty(l => l.Status, NurtureEngine.Leads.LeadStatus.Bounced)));
        (await _api.Api().PutAsJsonAsync("/api/v1/broadcasts/big", new
        {
            name = "Big news", template = "welcome", filter = new { type = "has_tag", tag },
        })).EnsureSuccessStatusCode();

        var fast = new Dictionary<string, string> { ["Nurture__SendLeaseSeconds"] = "4", ["Smtp__TimeoutSeconds"] = "3", ["Nurture__BatchSize"] = "50" };
        for (var i = 0; i < 3; i++) _workers.Add(WorkerProcess.Start(_api.ConnectionString, settings: fast));
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM hangfire.server").Single())),
            n => n >= 3, 180, "three worker processes registered");

        var clock = Stopwatch.StartNew();
        var started = await (await _api.Api().PostAsync("/api/v1/broadcasts/big/send", null)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(Leads, started!["audience"]!.GetValue<int>());
        var late = $"late.{tag}@example.com";
        (await _api.Api().PostAsJsonAsync("/api/v1/leads", new { email = late, tags = new[] { tag } })).EnsureSuccessStatusCode();

        var sentBeforeKill = await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Sent))),
            n => n >= 500, DeadlineSeconds, "first sends");
        _workers[0].Kill();
        output.WriteLine($"killed worker pid {_workers[0].Id} after {sentBeforeKill} sends, at {clock.Elapsed.TotalSeconds:0} s");

        await Eventually.GetAsync(async () => (await _api.Api().GetFromJsonAsync<JsonObject>("/api/v1/broadcasts/big"))!["status"]!.GetValue<string>(),
            s => s == "sent", DeadlineSeconds, "broadcast sent");
        var elapsed = clock.Elapsed;

        var unknown = _api.Db(db => db.Messages.Where(m => m.Status == MessageStatus.Unknown).Select(m => m.ToAddress).ToHashSet());
        var received = MailSink.Envelopes(tag).ToLookup(e => e.To);
        var duplicates = emails.Where(e => received[e].Count() > 1).ToList();
        var missing = emails.Where(e => !received[e].Any() && !unknown.Contains(e)).ToList();
        output.WriteLine($"audience {Leads}, received {received.Sum(g => g.Count())}, duplicates {duplicates.Count}, missing {missing.Count}, " +
            $"unknown {unknown.Count}; sent in {elapsed.TotalSeconds:0} s ({Leads / elapsed.TotalSeconds:0} emails/s)");
        foreach (var m in missing.Take(20)) output.WriteLine($"  MISSING: {m}");
        Assert.Empty(duplicates);
        Assert.Empty(missing);
        Assert.All(excluded.Append(late), e => Assert.Empty(received[e]));
        Assert.Equal(Leads, _api.Db(db => db.Messages.Count(m => m.BroadcastId != null)));
    }
}
