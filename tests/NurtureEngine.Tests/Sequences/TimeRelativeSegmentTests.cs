using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Segments;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>
/// A segment whose filter counts recent events ("logged in within 7 days") changes with the clock alone:
/// a lead leaves it the moment its last login is a week old, and enters its opposite ("dormant"), which
/// starts that segment's sequence, with no change to the lead and no nightly rebuild. Fake clock, web-only
/// app: the test runs the once-a-minute recheck itself.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TimeRelativeSegmentTests
{
    [Fact]
    public async Task ALeadWhoseLastLoginTurnsAWeekOld_LeavesActive_EntersDormant_AndGetsTheWinBackEmail_ThenComesBack()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T09:00:00Z"));
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        const string recently = """{ "type": "event", "event": "login", "within": "P7D" }""";
        foreach (var (key, filter) in new[] { ("active", recently), ("dormant", $$"""{ "type": "not", "condition": {{recently}} }""") })
            (await app.Api().PutAsJsonAsync($"/api/v1/segments/{key}", JsonNode.Parse($$"""
                { "name": "{{key}}", "filter": { "type": "all", "of": [ { "type": "has_tag", "tag": "customer" }, {{filter}} ] } }
                """))).EnsureSuccessStatusCode();
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/win-back", JsonNode.Parse("""
            { "name": "Win back", "trigger": { "type": "segment_entered", "segment": "dormant" },
              "steps": [ { "id": "miss-you", "type": "email", "template": "follow-up" } ] }
            """))).EnsureSuccessStatusCode();
        var recheck = async () =>
        {
            using var scope = app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<SegmentRecheckJob>().RunAsync(CancellationToken.None);
        };
        var email = NurtureApp.UniqueEmail("dora");
        async Task LoginAsync() =>
            (await app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { email, type = "login" } } })).EnsureSuccessStatusCode();
        async Task<List<string>> MembershipAsync() => (await Task.WhenAll(new[] { "active", "dormant" }.Select(async key =>
            (key, (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/segments/{key}/leads"))!["items"]!.AsArray().Count)))).Where(x => x.Count > 0).Select(x => x.key).ToList();

        await LoginAsync();
        var id = (await app.CreateLeadAsync(new { email, firstName = "Dora", tags = new[] { "customer" } }))["id"]!.GetValue<string>();
        Assert.Equal(["active"], await MembershipAsync());

        clock.Advance(TimeSpan.FromDays(3));
        await LoginAsync();                                                   // the week starts again from here
        clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, await recheck());                                      // 9 days after the first login, 6 after the last
        Assert.Equal(["active"], await MembershipAsync());

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(2));         // the last login is now a week old
        Assert.Equal(1, await recheck());
        Assert.Equal(["dormant"], await MembershipAsync());
        await app.RunDueAsync();
        Assert.Equal("Dora, did you get a chance to look?", (await MailSink.WaitForAsync(email)).Single().Message.Subject);
        var timeline = await app.TimelineAsync(id);
        Assert.Contains(timeline, e => e!["kind"]!.GetValue<string>() == "segment_left" && e["summary"]!.GetValue<string>().Contains("\"active\""));
        var enrolled = timeline.Single(e => e!["kind"]!.GetValue<string>() == "enrolled")!;
        Assert.Contains("entered segment dormant", enrolled["summary"]!.GetValue<string>());

        await LoginAsync();                                                   // back: an event, not the clock
        Assert.Equal(["active"], await MembershipAsync());
        Assert.Equal(0, await recheck());
    }
}
