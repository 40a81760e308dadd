using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Sales;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// The rep's answer to a hand-off (accept, or reject with a reason and a recycle stage) and the SLA: a hand-off
/// not accepted within <c>acceptWithin</c> is breached once, the manager is told once, the next rep gets it.
/// On a fake clock with no Hangfire worker: the test runs the SLA sweep itself.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class HandoffAnswerTests
{
    private static readonly string[] Team = ["rep1@ourcompany.test", "rep2@ourcompany.test", "rep3@ourcompany.test"];

    private static Task<JsonObject> PutDefaultAsync(NurtureApp app, object handoff) =>
        app.Api().SendAsync(HttpMethod.Put, "/api/v1/pipelines/default", new
        {
            name = "Sales pipeline",
            stages = new object[]
            {
                new { key = "lead", name = "Lead", probability = 10, kind = "open" },
                new { key = "nurture", name = "Nurture", probability = 10, kind = "open" },
                new { key = "mql", name = "Marketing qualified", probability = 20, kind = "open" },
                new { key = "sql", name = "Sales qualified", probability = 40, kind = "open", handoff },
                new { key = "customer", name = "Customer", probability = 100, kind = "won" },
                new { key = "lost", name = "Lost", probability = 0, kind = "lost" },
            },
        }, HttpStatusCode.OK);

    private static async Task<string> HandedOffLeadAsync(NurtureApp app)
    {
        var id = await app.LeadAsync(NurtureApp.UniqueEmail("handoff"), new { firstName = "Hana" });
        await app.Api().PostJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "sql" });
        return id;
    }

    private static async Task<JsonObject> LeadAsync(NurtureApp app, string id) => await app.Api().GetJsonAsync($"/api/v1/leads/{id}");

    [Fact]
    public async Task Accept_ClosesTheTask_AndIsOnTheTimelineWithTheTimeToAccept_Once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-02T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        await PutDefaultAsync(app, new { assign = "round_robin", team = Team, acceptWithin = "PT4H" });
        var id = await HandedOffLeadAsync(app);
        clock.Advance(TimeSpan.FromMinutes(90));

        var accepted = await app.Api().PostJsonAsync($"/api/v1/leads/{id}/handoff/accept", new { by = Team[0] });
        Assert.Equal("accepted", accepted["status"]!.GetValue<string>());
        Assert.Equal(Team[0], accepted["owner"]!.GetValue<string>());
        var again = await app.Api().SendAsync(HttpMethod.Post, $"/api/v1/leads/{id}/handoff/accept", null, HttpStatusCode.OK);
        Assert.Equal(accepted["id"]!.GetValue<long>(), again["id"]!.GetValue<long>());

        var entry = Assert.Single(await app.TimelineAsync(id), e => e!["kind"]!.GetValue<string>() == "handoff_accepted")!;
        Assert.Equal(1.5, entry["data"]!["hoursToAccept"]!.GetValue<double>());
        Assert.Empty((await app.Api().GetJsonAsync($"/api/v1/tasks?owner={Team[0]}&status=open"))["items"]!.AsArray());
        Assert.Equal(Team[0], (await LeadAsync(app, id))["owner"]!.GetValue<string>());

        clock.Advance(TimeSpan.FromHours(10));
        Assert.Equal(0, await SweepAsync(app));
        var rejectLate = await app.Api().PostJsonAsync($"/api/v1/leads/{id}/handoff/reject", new { reason = "changed my mind" }, HttpStatusCode.Conflict);
        Assert.Contains("accepted", rejectLate["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reject_NeedsAReason_AndRecyclesTheLeadToTheNurtureStage_WithNoOwner()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-02T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        await PutDefaultAsync(app, new { assign = "round_robin", team = Team, acceptWithin = "PT4H", recycleTo = "nurture" });
        var id = await HandedOffLeadAsync(app);

        var noReason = await app.Api().PostJsonAsync($"/api/v1/leads/{id}/handoff/reject", new { reason = " " }, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(noReason.Field("reason"));
        var badStage = await app.Api().PostJsonAsync($"/api/v1/leads/{id}/handoff/reject", new { reason = "x", recycleTo = "nowhere" }, HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(badStage.Field("recycleTo"));

        var rejected = await app.Api().PostJsonAsync($"/api/v1/leads/{id}/handoff/reject", new { reason = "Student, no budget" });
        Assert.Equal("rejected", rejected["status"]!.GetValue<string>());
        Assert.Equal("nurture", rejected["recycleTo"]!.GetValue<string>());
        var lead = await LeadAsync(app, id);
        Assert.Equal("nurture", lead["stage"]!.GetValue<string>());
        Assert.Null(lead["owner"]);

        var timeline = await app.TimelineAsync(id);
        var rejection = Assert.Single(timeline, e => e!["kind"]!.GetValue<string>() == "handoff_rejected")!;
        Assert.Equal("Student, no budget", rejection["data"]!["reason"]!.GetValue<string>());
        var recycled = timeline.First(e => e!["kind"]!.GetValue<string>() == "stage_changed")!;
        Assert.Equal("nurture", recycled["data"]!["to"]!.GetValue<string>());
        Assert.Equal("api", recycled["data"]!["cause"]!.GetValue<string>());

        // A stage chosen by the rep wins over the configured one.
        var second = await HandedOffLeadAsync(app);
        await app.Api().PostJsonAsync($"/api/v1/leads/{second}/handoff/reject", new { reason = "Too early", recycleTo = "mql" });
        Assert.Equal("mql", (await LeadAsync(app, second))["stage"]!.GetValue<string>());
    }

    [Fact]
    public async Task SlaBreach_OnAFakeClock_ReassignsToTheNextRep_AndTellsTheManagerOnce_EvenWithConcurrentSweeps()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-02T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        var manager = NurtureApp.UniqueEmail("manager");
        await PutDefaultAsync(app, new { assign = "round_robin", team = Team, acceptWithin = "PT4H", manager });
        var id = await HandedOffLeadAsync(app);
        Assert.Equal(Team[0], (await LeadAsync(app, id))["owner"]!.GetValue<string>());

        clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal(0, await SweepAsync(app));
        clock.Advance(TimeSpan.FromHours(1));
        var sweeps = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SweepAsync(app)));
        Assert.Equal(1, sweeps.Sum());
        Assert.Equal(0, await SweepAsync(app));

        Assert.Equal(Team[1], (await LeadAsync(app, id))["owner"]!.GetValue<string>());
        var timeline = await app.TimelineAsync(id);
        var breach = Assert.Single(timeline, e => e!["kind"]!.GetValue<string>() == "handoff_breached")!;
        Assert.Equal(Team[0], breach["data"]!["owner"]!.GetValue<string>());
        Assert.Equal(Team[1], breach["data"]!["next"]!.GetValue<string>());
        Assert.Equal(2, timeline.Count(e => e!["kind"]!.GetValue<string>() == "handoff_assigned"));
        Assert.Empty((await app.Api().GetJsonAsync($"/api/v1/tasks?owner={Team[0]}&status=open"))["items"]!.AsArray());
        var newTask = Assert.Single((await app.Api().GetJsonAsync($"/api/v1/tasks?owner={Team[1]}&status=open"))["items"]!.AsArray())!;
        Assert.Equal(clock.GetUtcNow().AddHours(4), newTask["dueAt"]!.GetValue<DateTimeOffset>());

        await app.SendDueEmailsAsync();
        var mail = Assert.Single(await MailSink.WaitForAsync(manager));
        Assert.Equal("Hand-off not accepted in time: Hana (rep1@ourcompany.test)", mail.Message.Subject);
        Assert.Contains("rep2@ourcompany.test", mail.Message.TextBody);
        Assert.Contains($"/leads/{id}", mail.Message.TextBody);

        // The second rep accepts: time to accept counts from the hand-off, not from their turn.
        clock.Advance(TimeSpan.FromHours(1));
        var accepted = await app.Api().PostJsonAsync($"/api/v1/leads/{id}/handoff/accept", new { });
        Assert.Equal(2, accepted["attempt"]!.GetValue<int>());
        var items = (await app.Api().GetJsonAsync($"/api/v1/leads/{id}/handoffs"))["items"]!.AsArray();
        Assert.Equal(["accepted", "breached"], items.Select(h => h!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task SlaBreach_StopsReassigning_OnceEveryoneInTheTeamHadATurn_AndWithNoManagerNamedTellsTheAdmins()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-02T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        var admin = NurtureApp.UniqueEmail("admin");
        await AdminClient.CreateUserAsync(app, admin, "Admin-password-12", "Admin");
        await PutDefaultAsync(app, new { assign = "round_robin", team = Team[..2], acceptWithin = "PT1H" });
        var id = await HandedOffLeadAsync(app);
        for (var i = 0; i < 3; i++) { clock.Advance(TimeSpan.FromHours(1)); await SweepAsync(app); }
        var timeline = await app.TimelineAsync(id);
        var breaches = timeline.Where(e => e!["kind"]!.GetValue<string>() == "handoff_breached").ToList();
        Assert.Equal(2, breaches.Count);
        Assert.All(breaches, b => Assert.Contains(admin, b!["data"]!["manager"]!.GetValue<string>()));
        Assert.Equal(2, timeline.Count(e => e!["kind"]!.GetValue<string>() == "handoff_assigned"));
        Assert.Empty((await app.Api().GetJsonAsync($"/api/v1/tasks?leadId={id}&status=open"))["items"]!.AsArray());

        await app.SendDueEmailsAsync();
        var told = await MailSink.WaitForAsync(admin, count: 2);
        Assert.All(told, m => Assert.StartsWith("Hand-off not accepted in time: Hana", m.Message.Subject));
    }

    private static async Task<int> SweepAsync(NurtureApp app)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<HandoffSlaJob>().RunAsync(CancellationToken.None);
    }
}
