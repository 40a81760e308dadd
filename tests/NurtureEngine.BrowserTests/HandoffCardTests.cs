using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// Issue 18: the hand-off card on the lead page. Two reps share a round-robin team on the sql stage; each
/// gets one lead. One accepts it; the other rejects theirs with a reason and sends it back to nurture.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HandoffCardTests(BrowserFixture browser)
{
    private const string Rep1 = "rep1@nurture.test", Rep2 = "rep2@nurture.test";

    [Fact]
    public async Task ARepAcceptsTheirHandoff_AnotherRejectsWithAReason_AndTheLeadIsRecycled()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Rep1, "SalesRep");
        await s.CreateUserAsync(Rep2, "SalesRep");
        var api = s.App.Api();
        (await api.PutAsJsonAsync("/api/v1/pipelines/default", JsonNode.Parse($$"""
            { "name": "Sales pipeline", "stages": [
              { "key": "lead", "name": "Lead", "probability": 10, "kind": "open" },
              { "key": "nurture", "name": "Nurture", "probability": 10, "kind": "open" },
              { "key": "mql", "name": "Marketing qualified", "probability": 20, "kind": "open" },
              { "key": "sql", "name": "Sales qualified", "probability": 40, "kind": "open",
                "handoff": { "assign": "round_robin", "team": ["{{Rep1}}", "{{Rep2}}"], "acceptWithin": "PT4H" } },
              { "key": "customer", "name": "Customer", "probability": 100, "kind": "won" },
              { "key": "lost", "name": "Lost", "probability": 0, "kind": "lost" } ],
              "moveLeadsTo": "lead" }
            """))).EnsureSuccessStatusCode();
        var owners = new Dictionary<string, string>();
        foreach (var email in new[] { "hana@example.com", "ivo@example.com" })
        {
            var id = (await s.App.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
            (await api.PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage = "sql" })).EnsureSuccessStatusCode();
            var handoffs = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}/handoffs"))!["items"]!.AsArray();
            owners[handoffs.Single()!["owner"]!.GetValue<string>()] = id;
        }
        var (mine, theirs) = (owners[Rep1], owners[Rep2]);

        var rep1 = await s.SignInAsync(Rep1);
        await rep1.GotoAsync(s.Url($"/leads/{mine}"));
        await Expect(rep1.Locator("#handoff h2")).ToContainTextAsync($"Hand-off waiting for {Rep1} (you)");
        await rep1.ClickAsync("#handoff-accept");
        await Expect(rep1.Locator(".flash")).ToContainTextAsync("Hand-off accepted: the lead is yours.");
        await Expect(rep1.Locator("#handoff")).ToHaveCountAsync(0);
        // Not theirs to answer: rep1 sees rep2's hand-off without the buttons.
        await rep1.GotoAsync(s.Url($"/leads/{theirs}"));
        await Expect(rep1.Locator("#handoff h2")).ToContainTextAsync($"Hand-off waiting for {Rep2}");
        await Expect(rep1.Locator("#handoff-accept")).ToHaveCountAsync(0);

        var rep2 = await s.SignInAsync(Rep2);
        await rep2.GotoAsync(s.Url($"/leads/{theirs}"));
        await rep2.Locator("#handoff-reject button[type=submit]").ClickAsync();
        // The reason is required: the browser keeps the form, the hand-off stays open.
        Assert.False(await rep2.Locator("#reject-reason").EvaluateAsync<bool>("e => e.checkValidity()"));
        await Expect(rep2.Locator("#handoff-accept")).ToBeVisibleAsync();
        await rep2.FillAsync("#reject-reason", "Student, no budget");
        await rep2.SelectOptionAsync("#recycle-to", "nurture");
        await rep2.Locator("#handoff-reject button[type=submit]").ClickAsync();
        await Expect(rep2.Locator(".flash")).ToContainTextAsync("Hand-off rejected; the lead went back to");
        await Expect(rep2.Locator("#handoff")).ToHaveCountAsync(0);

        var accepted = await api.GetFromJsonAsync<JsonObject>($"/api/v1/leads/{mine}");
        Assert.Equal(Rep1, accepted!["owner"]!.GetValue<string>());
        Assert.Contains(await s.App.TimelineAsync(mine), e => e!["kind"]!.GetValue<string>() == "handoff_accepted");
        var recycled = await api.GetFromJsonAsync<JsonObject>($"/api/v1/leads/{theirs}");
        Assert.Equal("nurture", recycled!["stage"]!.GetValue<string>());
        var timeline = await s.App.TimelineAsync(theirs);
        var rejection = timeline.First(e => e!["kind"]!.GetValue<string>() == "handoff_rejected")!;
        Assert.Equal("Student, no budget", rejection["data"]!["reason"]!.GetValue<string>());
        var move = timeline.First(e => e!["kind"]!.GetValue<string>() == "stage_changed")!["data"]!;
        Assert.Equal(("sql", "nurture"), (move["from"]!.GetValue<string>(), move["to"]!.GetValue<string>()));
        await s.ScreenshotAsync(rep2, "handoff-rejected");
    }
}
