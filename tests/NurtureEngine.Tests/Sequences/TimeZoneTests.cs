using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>Send windows and day waits in the lead's own IANA zone, across DST changes, on a fake clock.</summary>
[Collection(AppCollection.Name)]
public sealed class TimeZoneTests
{
    private static async Task<(NurtureApp, FakeTimeProvider)> StartAsync(DateTimeOffset start, string steps, string window, string? defaultZone = null)
    {
        var clock = new FakeTimeProvider(start);
        var app = await NurtureApp.StartAsync(defaultZone is null ? null : new Dictionary<string, string?> { ["Nurture:DefaultTimeZone"] = defaultZone }, clock);
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse($$"""
            { "name": "Windowed", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "sendWindow": {{window}}, "steps": {{steps}} }
            """))).EnsureSuccessStatusCode();
        return (app, clock);
    }

    private static List<DateTimeOffset> Scheduled(NurtureApp app, string id) =>
        app.Db(db => db.Messages.Where(m => m.LeadId == Guid.Parse(id)).Select(m => m.CreatedAt).ToList()).Order().ToList();

    [Theory]
    // Berlin leaves summer time on Sunday 2026-10-25: Saturday evening → Monday 09:00 CET = 08:00Z.
    [InlineData("Europe/Berlin", "2026-10-24T19:00:00Z", "2026-10-26T08:00:00Z")]
    // New York enters summer time on Sunday 2026-03-08: Friday evening → Monday 09:00 EDT = 13:00Z.
    [InlineData("America/New_York", "2026-03-06T23:30:00Z", "2026-03-09T13:00:00Z")]
    public Task AnEmailOutsideTheWindow_WaitsForNineOClockLocal_AcrossTheDstChange(string zone, string created, string expected) =>
        WaitsForNineLocalAsync(zone, created, expected, zoneOfTheInstallation: false);

    /// <summary>A lead without a time zone of its own is in the installation's (<c>Nurture__DefaultTimeZone</c>).</summary>
    [Fact]
    public Task ALeadWithoutAZone_WaitsForNineOClockInTheInstallationsZone() =>
        WaitsForNineLocalAsync("America/New_York", "2026-03-06T23:30:00Z", "2026-03-09T13:00:00Z", zoneOfTheInstallation: true);

    private static async Task WaitsForNineLocalAsync(string zone, string created, string expected, bool zoneOfTheInstallation)
    {
        var (app, clock) = await StartAsync(DateTimeOffset.Parse(created),
            """[ { "id": "hello", "type": "email", "template": "welcome" } ]""",
            """{ "days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "17:00" }""", zoneOfTheInstallation ? zone : null);
        await using var _ = app;
        var id = (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("tz"), timeZone = zoneOfTheInstallation ? null : zone }))["id"]!.GetValue<string>();

        await app.RunDueStepsAsync();
        Assert.Empty(Scheduled(app, id));
        var delayed = (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "email_delayed")!;
        Assert.Equal(DateTimeOffset.Parse(expected), delayed["data"]!["until"]!.GetValue<DateTimeOffset>());

        clock.SetUtcNow(DateTimeOffset.Parse(expected).AddMinutes(-1));
        await app.RunDueStepsAsync();
        Assert.Empty(Scheduled(app, id));

        clock.SetUtcNow(DateTimeOffset.Parse(expected));
        await app.RunDueStepsAsync();
        var sentAt = Assert.Single(Scheduled(app, id));
        var local = TimeZoneInfo.ConvertTime(sentAt, TimeZoneInfo.FindSystemTimeZoneById(zone));
        Assert.Equal(new TimeSpan(9, 0, 0), local.TimeOfDay);
    }

    [Fact]
    public async Task ADayWait_KeepsTheLocalTimeOfDay_AcrossTheDstChange()
    {
        // Friday 2026-10-23 10:00 in Berlin (08:00Z, summer time); three days later is Monday 10:00 CET = 09:00Z.
        var (app, clock) = await StartAsync(DateTimeOffset.Parse("2026-10-23T08:00:00Z"),
            """[ { "id": "one", "type": "email", "template": "welcome" }, { "id": "w", "type": "wait", "duration": "P3D" }, { "id": "two", "type": "email", "template": "follow-up" } ]""",
            "null");
        await using var _ = app;
        var id = (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("wait"), timeZone = "Europe/Berlin" }))["id"]!.GetValue<string>();

        await app.RunDueStepsAsync();
        Assert.Single(Scheduled(app, id));
        var until = app.Db(db => db.Enrollments.Single(e => e.LeadId == Guid.Parse(id) && e.CurrentStepId == "w").WaitUntil);
        Assert.Equal(DateTimeOffset.Parse("2026-10-26T09:00:00Z"), until);

        clock.SetUtcNow(until!.Value);
        await app.RunDueStepsAsync();
        Assert.Equal(2, Scheduled(app, id).Count);
    }
}
