using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>simulate runs the real engine on a virtual clock and stores nothing; the real engine then does the same.</summary>
[Collection(AppCollection.Name)]
public sealed class SimulationTests
{
    [Fact]
    public async Task SimulatingTheDemoWelcome_MatchesWhatTheEngineThenDoes_AndStoresNothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T09:00:00Z"));
        await using var app = await NurtureApp.StartAsync(clock: clock);
        var leadsBefore = app.Db(db => db.Leads.Count());

        var response = await app.Api().PostAsJsonAsync("/api/v1/sequences/welcome/simulate", new
        {
            lead = new { email = "sim@example.com", firstName = "Sim" },
            events = new[] { new { after = "PT1H", type = "email_clicked", step = "welcome" } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var simulated = (await response.Content.ReadFromJsonAsync<JsonObject>())!["timeline"]!.AsArray();
        var simulatedKinds = simulated.Select(e => e!["kind"]!.GetValue<string>()).ToList();
        Assert.Contains("Welcome, Sim!", simulated.Where(e => e!["kind"]!.GetValue<string>() == "email_sent").Select(e => e!["summary"]!.GetValue<string>()).Single());
        Assert.Equal(leadsBefore, app.Db(db => db.Leads.Count()));
        Assert.Equal(0, app.Db(db => db.Messages.Count()));

        // The real engine, same lead data, same events, on the fake clock.
        var email = NurtureApp.UniqueEmail("real");
        var id = (await app.CreateLeadAsync(new { email, firstName = "Sim" }))["id"]!.GetValue<string>();
        await app.RunDueStepsAsync();
        await app.SendDueEmailsAsync();
        var welcome = (await MailSink.WaitForAsync(email)).Single().Message;
        clock.Advance(TimeSpan.FromHours(1));
        var link = Regex.Match(welcome.HtmlBody!, "href=\"(http://localhost/t/c/[^\"]+)\"").Groups[1].Value;
        Assert.Equal(HttpStatusCode.Redirect, (await app.Anonymous().GetAsync(link)).StatusCode);
        clock.Advance(TimeSpan.FromDays(2));
        await app.RunDueStepsAsync();
        await app.SendDueEmailsAsync();

        var realKinds = await app.KindsAsync(id);
        Assert.True(simulatedKinds.SequenceEqual(realKinds), simulated.ToJsonString());
        Assert.Contains("branch", realKinds);
        Assert.Equal("exited", realKinds[^1]);
    }

    [Fact]
    public async Task SimulatingForAnExistingLead_RendersWithItsData_AndLeavesItUntouched()
    {
        await using var app = await NurtureApp.StartAsync();
        var email = NurtureApp.UniqueEmail("rita");
        var id = (await app.CreateLeadAsync(new { email, firstName = "Rita", company = "Acme Tools" }))["id"]!.GetValue<string>();
        await app.WaitForKindAsync(id, "email_sent"); // the demo welcome has run for her
        var before = await app.KindsAsync(id);
        var messages = app.Db(db => db.Messages.Count(m => m.LeadId == Guid.Parse(id)));

        var response = await app.Api().PostAsJsonAsync("/api/v1/sequences/mql-nurture/simulate", new { leadId = id });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var simulated = (await response.Content.ReadFromJsonAsync<JsonObject>())!["timeline"]!.AsArray();
        Assert.Contains("Rita, a guide picked for Acme Tools", simulated.First(e => e!["kind"]!.GetValue<string>() == "email_sent")!["summary"]!.GetValue<string>());
        Assert.Equal(before, await app.KindsAsync(id));
        Assert.Equal(messages, app.Db(db => db.Messages.Count(m => m.LeadId == Guid.Parse(id))));
        Assert.Single(MailSink.For(email));
        var unknown = await app.Api().PostAsJsonAsync("/api/v1/sequences/mql-nurture/simulate", new { leadId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
    }
}
