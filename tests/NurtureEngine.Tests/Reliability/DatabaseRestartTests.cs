using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// PostgreSQL restarted while a worker process sends and API calls arrive (on a private cluster):
/// callers get 503 problem+json with Retry-After while it is down, never a 500 or a stack trace;
/// the worker backs off and carries on; every lead accepted before and after is there and gets
/// each email once.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int LeadsPerPhase = 30;
    private PrivatePostgres _pg = null!;
    private NurtureApp _api = null!;
    private WorkerProcess _worker = null!;

    public async Task InitializeAsync()
    {
        _pg = await PrivatePostgres.StartAsync();
        var connection = _pg.ConnectionString("nurture");
        _api = NurtureApp.StartOn(connection, new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        (await _api.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse("""
            { "name": "Welcome", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "welcome", "type": "email", "template": "welcome" },
                         { "id": "pause", "type": "wait", "duration": "PT3S" },
                         { "id": "nudge", "type": "email", "template": "follow-up" } ] }
            """))).EnsureSuccessStatusCode();
        _worker = WorkerProcess.Start(connection, settings: new Dictionary<string, string>
        {
            ["Nurture__SendLeaseSeconds"] = "4",
            ["Smtp__TimeoutSeconds"] = "3",
        });
        await _worker.WaitUntilReadyAsync(180);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _api.DisposeAsync();
        await _pg.DisposeAsync();
    }

    [Fact]
    public async Task WhileTheDatabaseRestarts_CallersGet503_TheWorkerRecovers_AndEveryAcceptedLeadGetsEachEmailOnce()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var accepted = new List<string>();
        var api = _api.Api();
        for (var i = 0; i < LeadsPerPhase; i++)
        {
            var email = $"before{i}.{tag}@example.com";
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/leads", new { email })).StatusCode);
            accepted.Add(email);
        }
        // Down while the worker is busy with the first phase's emails.
        await MailSink.WaitForAsync(accepted[0], 1, 120);
        await _pg.StopServerAsync();

        var duringOutage = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            duringOutage.Add(await api.PostAsJsonAsync("/api/v1/leads", new { email = $"during{i}.{tag}@example.com" }));
            duringOutage.Add(await api.GetAsync("/api/v1/leads"));
        }
        foreach (var response in duringOutage)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.DoesNotContain("Npgsql", body);
            Assert.DoesNotContain(" at ", body);
        }

        await _pg.StartServerAsync();
        // A caller retrying after Retry-After gets through once the database is back.
        var retried = await Eventually.GetAsync(() => api.PostAsJsonAsync("/api/v1/leads", new { email = $"after0.{tag}@example.com" }),
            r => r.StatusCode == HttpStatusCode.Created, 60, "the API serving again");
        accepted.Add($"after0.{tag}@example.com");
        for (var i = 1; i < LeadsPerPhase; i++)
        {
            var email = $"after{i}.{tag}@example.com";
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/leads", new { email })).StatusCode);
            accepted.Add(email);
        }

        // The worker process survived the outage and finishes everything.
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Enrollments.Count(e => e.Status == EnrollmentStatus.Active))),
            n => n == 0, 240, "all enrollments complete");
        await Eventually.GetAsync(() => Task.FromResult(_api.Db(db => db.Messages.Count(m => m.Status == MessageStatus.Scheduled || m.Status == MessageStatus.Sending))),
            n => n == 0, 120, "outbox drained");
        Assert.False(_worker.HasExited, _worker.Output);

        var stored = _api.Db(db => db.Leads.Where(l => l.Email.EndsWith($".{tag}@example.com")).Select(l => l.Email).ToList());
        Assert.Equal(accepted.Order(), stored.Where(e => !e.StartsWith("during")).Order());
        var unknown = _api.Db(db => db.Messages.Where(m => m.Status == MessageStatus.Unknown).Select(m => new { m.ToAddress, m.StepId }).ToList());
        int received = 0, duplicates = 0, lost = 0;
        foreach (var email in accepted)
        {
            var subjects = MailSink.For(email).Select(m => m.Message.Subject ?? "").ToList();
            received += subjects.Count;
            foreach (var (step, prefix) in new[] { ("welcome", "Welcome"), ("nudge", "Did you get") })
            {
                var count = subjects.Count(s => s.StartsWith(prefix));
                if (count > 1) duplicates++;
                if (count == 0 && !unknown.Any(u => u.ToAddress == email && u.StepId == step)) lost++;
            }
        }
        output.WriteLine($"leads accepted {accepted.Count}, refused with 503 during the outage {duringOutage.Count}, emails expected {accepted.Count * 2}, received {received}, duplicates {duplicates}, lost {lost}, outcome unknown {unknown.Count}");
        Assert.Equal(0, duplicates);
        Assert.Equal(0, lost);
    }
}
