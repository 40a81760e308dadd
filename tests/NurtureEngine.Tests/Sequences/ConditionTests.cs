using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>
/// Every condition of the language, true and false, through a real branch: what the lead receives
/// (the "then" email or the "else" email) and what its timeline says (the branch, its result).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ConditionTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartAsync();
        await _app.QuietDemoSequencesAsync();
        (await _app.Api().PutAsJsonAsync("/api/v1/segments/big-companies", JsonNode.Parse("""
            { "name": "Big", "filter": { "type": "attribute", "key": "employees", "gte": 200 } }
            """))).EnsureSuccessStatusCode();
        (await _app.Api().PutAsJsonAsync("/api/v1/segments/tiny-companies", JsonNode.Parse("""
            { "name": "Tiny", "filter": { "type": "attribute", "key": "employees", "lte": 10 } }
            """))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>(condition, steps before the branch, expected result). Every lead: tag vip, industry manufacturing, 250 employees, stage lead, event webinar_joined before enrolling.</summary>
    private static readonly (string If, string Before, bool Expected)[] Cases =
    [
        ("""{ "type": "event", "event": "webinar_joined", "within": "P1D" }""", "", true),
        ("""{ "type": "event", "event": "webinar_joined" }""", "", false), // without within: only since enrolling
        ("""{ "type": "event", "event": "demo_booked", "within": "P1D" }""", "", false),
        ("""{ "type": "stage_entered", "stage": "mql" }""", """{ "id": "up", "type": "stage", "stage": "mql" },""", true),
        ("""{ "type": "stage_entered", "stage": "sql" }""", """{ "id": "up", "type": "stage", "stage": "mql" },""", false),
        ("""{ "type": "in_stage", "stage": "lead" }""", "", true),
        ("""{ "type": "in_stage", "stage": "sql" }""", "", false),
        ("""{ "type": "score_at_least", "score": 10 }""", """{ "id": "plus", "type": "score", "points": 10 },""", true),
        ("""{ "type": "score_at_least", "score": 11 }""", """{ "id": "plus", "type": "score", "points": 10 },""", false),
        ("""{ "type": "has_tag", "tag": "vip" }""", "", true),
        ("""{ "type": "has_tag", "tag": "gold" }""", "", false),
        ("""{ "type": "attribute", "key": "industry", "equals": "Manufacturing" }""", "", true),
        ("""{ "type": "attribute", "key": "industry", "equals": "retail" }""", "", false),
        ("""{ "type": "attribute", "key": "industry", "in": ["retail", "manufacturing"] }""", "", true),
        ("""{ "type": "attribute", "key": "employees", "gte": 200 }""", "", true),
        ("""{ "type": "attribute", "key": "employees", "lte": 100 }""", "", false),
        ("""{ "type": "in_segment", "segment": "big-companies" }""", "", true),
        ("""{ "type": "in_segment", "segment": "tiny-companies" }""", "", false),
        ("""{ "type": "all", "of": [ { "type": "has_tag", "tag": "vip" }, { "type": "in_stage", "stage": "lead" } ] }""", "", true),
        ("""{ "type": "all", "of": [ { "type": "has_tag", "tag": "vip" }, { "type": "has_tag", "tag": "gold" } ] }""", "", false),
        ("""{ "type": "any", "of": [ { "type": "has_tag", "tag": "gold" }, { "type": "has_tag", "tag": "vip" } ] }""", "", true),
        ("""{ "type": "any", "of": [ { "type": "has_tag", "tag": "gold" }, { "type": "has_tag", "tag": "silver" } ] }""", "", false),
        ("""{ "type": "not", "condition": { "type": "has_tag", "tag": "gold" } }""", "", true),
        ("""{ "type": "not", "condition": { "type": "has_tag", "tag": "vip" } }""", "", false),
    ];

    [Fact]
    public async Task EachCondition_TrueAndFalse_SendsTheBranchsEmail_AndTheTimelineSaysWhichConditionHeld()
    {
        var leads = new List<(string Id, string Email)>();
        for (var i = 0; i < Cases.Length; i++)
        {
            var (condition, before, _) = Cases[i];
            var put = await _app.Api().PutAsJsonAsync($"/api/v1/sequences/case-{i}", JsonNode.Parse($$"""
                { "name": "Case {{i}}", "trigger": { "type": "manual" },
                  "steps": [ {{before}}
                    { "id": "check", "type": "branch", "if": {{condition}}, "then": "yes", "else": "no" },
                    { "id": "yes", "type": "email", "template": "welcome" },
                    { "id": "done", "type": "exit" },
                    { "id": "no", "type": "email", "template": "follow-up" } ] }
                """));
            Assert.True(put.IsSuccessStatusCode, $"case {i}: {await put.Content.ReadAsStringAsync()}");
            var email = NurtureApp.UniqueEmail($"case{i}");
            var id = (await _app.CreateLeadAsync(new { email, firstName = "Cora", tags = new[] { "vip" },
                attributes = new { industry = "manufacturing", employees = 250 } }))["id"]!.GetValue<string>();
            (await _app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { email, type = "webinar_joined" } } })).EnsureSuccessStatusCode();
            (await _app.Api().PostAsJsonAsync($"/api/v1/sequences/case-{i}/enroll", new { leadId = id })).EnsureSuccessStatusCode();
            leads.Add((id, email));
        }

        var failures = new List<string>();
        for (var i = 0; i < Cases.Length; i++)
        {
            var (condition, _, expected) = Cases[i];
            var mail = (await MailSink.WaitForAsync(leads[i].Email, seconds: 120)).Single().Message;
            var timeline = await _app.TimelineAsync(leads[i].Id);
            var branch = timeline.Single(e => e!["kind"]!.GetValue<string>() == "branch")!;
            var result = branch["data"]!["result"]!.GetValue<bool>();
            var gotThen = mail.Subject!.StartsWith("Welcome", StringComparison.Ordinal);
            var summary = branch["summary"]!.GetValue<string>();
            if (result != expected || gotThen != expected || !summary.Contains($"is {(expected ? "true" : "false")}, going to {(expected ? "yes" : "no")}"))
                failures.Add($"case {i} {condition}: expected {expected}, branch said \"{summary}\", email \"{mail.Subject}\"");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("opened", "PT1H", "P1D", true)]
    [InlineData("opened", "P2D", "P1D", false)]
    [InlineData("clicked", "PT1H", "P1D", true)]
    [InlineData("clicked", "P2D", "P1D", false)]
    [InlineData("replied", "PT1H", "P1D", true)]
    [InlineData("replied", "P2D", "P1D", false)]
    public async Task EngagementConditions_CountOnlyTheNamedStepsEmail_WithinTheGivenTimeOfItsSending(string kind, string after, string within, bool expected)
    {
        // Two emails; the engagement is with the first. The branch asks about the first within a day, and about the second.
        var put = await _app.Api().PutAsJsonAsync("/api/v1/sequences/engaged", JsonNode.Parse($$"""
            { "name": "Engaged", "trigger": { "type": "manual" },
              "steps": [ { "id": "first", "type": "email", "template": "welcome" },
                         { "id": "second", "type": "email", "template": "mql-nurture" },
                         { "id": "pause", "type": "wait", "duration": "P3D" },
                         { "id": "on-first", "type": "branch", "if": { "type": "{{kind}}", "step": "first", "within": "{{within}}" }, "then": "on-second", "else": "on-second" },
                         { "id": "on-second", "type": "branch", "if": { "type": "{{kind}}", "step": "second" }, "then": "end", "else": "end" },
                         { "id": "end", "type": "exit" } ] }
            """));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var response = await _app.Api().PostAsJsonAsync("/api/v1/sequences/engaged/simulate", new
        {
            lead = new { email = "sim@example.com", firstName = "Sim" },
            events = new[] { new { after, type = $"email_{kind}", step = "first" } },
        });

        var timeline = (await response.Content.ReadFromJsonAsync<JsonObject>())!["timeline"]!.AsArray();
        var branches = timeline.Where(e => e!["kind"]!.GetValue<string>() == "branch").Select(e => e!["data"]!).ToList();
        Assert.Equal(2, branches.Count);
        var byStep = branches.ToDictionary(b => b!["step"]!.GetValue<string>(), b => b!["result"]!.GetValue<bool>());
        Assert.Equal(expected, byStep["on-first"]);
        Assert.False(byStep["on-second"]);
        Assert.Contains(timeline, e => e!["kind"]!.GetValue<string>() == $"email_{kind}");
    }
}
