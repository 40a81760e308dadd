using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Mail;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>Frequency cap and domain throttle on a fake clock: a capped email waits, it is never dropped.</summary>
[Collection(AppCollection.Name)]
public sealed class SendingLimitTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-23T10:00:00Z");

    private static async Task<(NurtureApp App, FakeTimeProvider Clock)> StartAsync(Dictionary<string, string?> settings, bool withReceipt = true)
    {
        var receipt = withReceipt ? """, { "id": "receipt", "type": "email", "template": "owner-alert", "transactional": true }""" : "";
        var clock = new FakeTimeProvider(Start);
        var app = await NurtureApp.StartAsync(settings, clock);
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse($$"""
            { "name": "Three in a row", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "one", "type": "email", "template": "welcome" },
                         { "id": "two", "type": "email", "template": "follow-up" },
                         { "id": "three", "type": "email", "template": "mql-nurture" } {{receipt}} ] }
            """))).EnsureSuccessStatusCode();
        return (app, clock);
    }

    private static List<string?> Steps(NurtureApp app, string id) =>
        app.Db(db => db.Messages.Where(m => m.LeadId == Guid.Parse(id) && m.Status != MessageStatus.Suppressed).Select(m => m.StepId).ToList().Order().ToList());

    [Fact]
    public async Task FrequencyCap_DelaysTheThirdMarketingEmailByTheWindow_TransactionalIsExempt()
    {
        var (app, clock) = await StartAsync(new() { ["Nurture:FrequencyCap:MaxEmails"] = "2", ["Nurture:FrequencyCap:Window"] = "P1D" });
        await using var _ = app;
        var id = (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("capped") }))["id"]!.GetValue<string>();

        await app.RunDueStepsAsync();

        Assert.Equal(["one", "two"], Steps(app, id));
        var delayed = (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "email_delayed")!;
        Assert.Contains("frequency cap", delayed["data"]!["reason"]!.GetValue<string>());
        Assert.Equal(Start.AddDays(1), delayed["data"]!["until"]!.GetValue<DateTimeOffset>());

        clock.Advance(TimeSpan.FromHours(23));
        await app.RunDueStepsAsync();
        Assert.Equal(["one", "two"], Steps(app, id));

        clock.Advance(TimeSpan.FromHours(1));
        await app.RunDueStepsAsync();
        Assert.Equal(["one", "receipt", "three", "two"], Steps(app, id));
    }

    [Fact]
    public async Task DomainThrottle_SpreadsEmailsToOneDomainOverMinutes()
    {
        var (app, clock) = await StartAsync(new() { ["Nurture:DomainThrottlePerMinute"] = "2" }, withReceipt: false);
        await using var _ = app;
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await app.CreateLeadAsync(new { email = $"t{i}.{tag}@throttled.example" }))["id"]!.GetValue<string>());

        await app.RunDueStepsAsync();
        var firstMinute = ids.Sum(id => Steps(app, id).Count);
        clock.Advance(TimeSpan.FromMinutes(1));
        await app.RunDueStepsAsync();
        var secondMinute = ids.Sum(id => Steps(app, id).Count);

        Assert.Equal(2, firstMinute);
        Assert.Equal(4, secondMinute);
        var delays = app.Db(db => db.Activities.Where(a => a.Kind == "email_delayed").Select(a => a.DataJson).ToList());
        Assert.Contains(delays, d => d.Contains("domain throttle: 2 emails per minute to throttled.example"));
    }
}
