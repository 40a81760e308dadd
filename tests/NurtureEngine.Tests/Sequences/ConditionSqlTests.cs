using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Segments;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;
using NurtureEngine.Timeline;

namespace NurtureEngine.Tests.Sequences;

/// <summary>
/// Segments are counted and filled by one SQL statement (<see cref="ConditionSql"/>) but kept current lead
/// by lead in .NET (<see cref="ConditionEvaluator"/>): both must pick exactly the same leads, for every
/// condition, including missing values, numbers stored as text, case and negation.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ConditionSqlTests
{
    private static readonly string[] Conditions =
    [
        """{ "type": "has_tag", "tag": "vip" }""",
        """{ "type": "not", "condition": { "type": "has_tag", "tag": "vip" } }""",
        """{ "type": "in_stage", "stage": "mql" }""",
        """{ "type": "stage_entered", "stage": "mql" }""",
        """{ "type": "score_at_least", "score": 20 }""",
        """{ "type": "event", "event": "webinar_joined" }""",
        """{ "type": "event", "event": "webinar_joined", "within": "P7D" }""",
        """{ "type": "not", "condition": { "type": "event", "event": "webinar_joined", "within": "P7D" } }""",
        """{ "type": "event", "event": "page_viewed", "where": { "path": "/pricing*" } }""",
        """{ "type": "event", "event": "page_viewed", "where": { "path": "/PRICING*" }, "count": 2, "within": "P7D" }""",
        """{ "type": "not", "condition": { "type": "event", "event": "page_viewed", "where": { "path": "/pricing" }, "count": 3 } }""",
        """{ "type": "event", "event": "page_viewed", "where": { "path": "/blog/*", "title": "*100%*" } }""",
        """{ "type": "attribute", "key": "industry", "equals": "manufacturing" }""",
        """{ "type": "not", "condition": { "type": "attribute", "key": "industry", "equals": "manufacturing" } }""",
        """{ "type": "attribute", "key": "industry", "in": ["retail", "MANUFACTURING"] }""",
        """{ "type": "attribute", "key": "industry" }""",
        """{ "type": "attribute", "key": "employees", "gte": 200 }""",
        """{ "type": "attribute", "key": "employees", "lte": 10 }""",
        """{ "type": "attribute", "key": "employees", "equals": 250 }""",
        """{ "type": "attribute", "key": "employees", "in": [5, 300] }""",
        """{ "type": "not", "condition": { "type": "attribute", "key": "employees", "gte": 200 } }""",
        """{ "type": "attribute", "key": "plan", "gte": "m" }""",
        """{ "type": "attribute", "key": "trial", "equals": true }""",
        """{ "type": "attribute", "key": "company", "equals": "acme" }""",
        """{ "type": "attribute", "key": "score", "gte": 10 }""",
        """{ "type": "attribute", "key": "dealValue", "gte": 1000 }""",
        """{ "type": "attribute", "key": "status", "equals": "subscribed" }""",
        """{ "type": "opened" }""",
        """{ "type": "clicked", "step": "hello" }""",
        """{ "type": "clicked", "step": "hello", "within": "P1D" }""",
        """{ "type": "in_segment", "segment": "vips" }""",
        """{ "type": "all", "of": [ { "type": "has_tag", "tag": "vip" }, { "type": "attribute", "key": "employees", "gte": 200 } ] }""",
        """{ "type": "any", "of": [ { "type": "has_tag", "tag": "gold" }, { "type": "in_stage", "stage": "mql" } ] }""",
        """{ "type": "not", "condition": { "type": "any", "of": [ { "type": "has_tag", "tag": "vip" }, { "type": "opened" } ] } }""",
    ];

    [Fact]
    public async Task EveryCondition_PicksTheSameLeadsInSql_AsTheEvaluatorDoesLeadByLead()
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
        await app.QuietDemoSequencesAsync();
        (await app.Api().PutAsJsonAsync("/api/v1/segments/vips", JsonNode.Parse("""{ "name": "VIPs", "filter": { "type": "has_tag", "tag": "vip" } }"""))).EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow;
        object[] employees = [250, "300", 5, "n/a", 200.5];
        string?[] industries = ["manufacturing", "Manufacturing", "retail", null];
        object[] trials = [true, "true", false];
        var ids = new List<Guid>();
        for (var i = 0; i < 24; i++)
        {
            var attributes = new JsonObject { ["plan"] = i % 3 == 0 ? "basic" : i % 3 == 1 ? "pro" : null, ["trial"] = JsonValue.Create(trials[i % 3]) };
            if (i % 6 != 5) attributes["employees"] = JsonValue.Create(employees[i % employees.Length]);
            if (industries[i % industries.Length] is { } industry) attributes["industry"] = industry;
            var lead = await app.CreateLeadAsync(new
            {
                email = NurtureApp.UniqueEmail($"sql{i}"), company = i % 4 == 0 ? "ACME" : "Globex",
                dealValue = i % 5 == 0 ? (decimal?)null : 250m * i, tags = i % 2 == 0 ? new[] { "vip" } : i % 5 == 0 ? ["gold"] : [],
                stage = i % 3 == 0 ? "mql" : "lead", attributes,
            });
            ids.Add(Guid.Parse(lead["id"]!.GetValue<string>()));
            if (i % 4 != 3)
            {
                var at = i % 4 == 0 ? now.AddDays(-1) : i % 4 == 1 ? now.AddDays(-30) : now.AddHours(-2);
                (await app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { leadId = ids[^1], type = "webinar_joined", occurredAt = at } } })).EnsureSuccessStatusCode();
            }
        }
        await GiveScoresAndEngagementAsync(app, ids, now);
        await ViewPagesAsync(app, ids, now);

        var differences = new List<string>();
        foreach (var json in Conditions)
        {
            var condition = Json.Deserialize<Condition>(json);
            using var scope = app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
            var evaluator = scope.ServiceProvider.GetRequiredService<ConditionEvaluator>();
            var byEvaluator = new SortedSet<Guid>();
            foreach (var lead in await db.Leads.AsNoTracking().Where(l => ids.Contains(l.Id)).ToListAsync())
                if (await evaluator.EvaluateAsync(condition, lead, null, CancellationToken.None)) byEvaluator.Add(lead.Id);
            var (where, parameters) = ConditionSql.Where(condition, now);
            var sql = "SELECT l.id AS \"Value\" FROM nurture.lead l WHERE " + where;
            var bySql = new SortedSet<Guid>((await db.Database.SqlQueryRaw<Guid>(sql, parameters).ToListAsync()).Where(ids.Contains));
            if (!byEvaluator.SetEquals(bySql))
                differences.Add($"{json}: evaluator {byEvaluator.Count} leads, SQL {bySql.Count}");
            else if (byEvaluator.Count is 0 or 24 && !json.Contains("status"))
                differences.Add($"{json}: picks {byEvaluator.Count} of 24 leads, which tells nothing");
        }
        Assert.True(differences.Count == 0, string.Join('\n', differences));

        // Through the API: the builder's count and a saved segment's members come from the same SQL.
        var filter = JsonNode.Parse(Conditions[^3])!;
        var count = (await (await app.Api().PostAsJsonAsync("/api/v1/segments/count", new { filter })).Content.ReadFromJsonAsync<JsonObject>())!["members"]!.GetValue<int>();
        var saved = (await (await app.Api().PutAsJsonAsync("/api/v1/segments/big-vips", new { name = "Big VIPs", filter })).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(count, saved["members"]!.GetValue<int>());
        Assert.InRange(count, 1, 23);
    }

    /// <summary>Page views: i % 4 of /pricing in the last hour, one more 10 days ago for every fifth lead, and blog posts whose title holds a LIKE wildcard.</summary>
    private static async Task ViewPagesAsync(NurtureApp app, List<Guid> ids, DateTimeOffset now)
    {
        var events = new JsonArray();
        for (var i = 0; i < ids.Count; i++)
        {
            for (var n = 0; n < i % 4; n++)
                events.Add(new JsonObject { ["leadId"] = ids[i].ToString(), ["type"] = "page_viewed", ["occurredAt"] = now.AddMinutes(-10 - n).ToString("O"),
                    ["properties"] = new JsonObject { ["path"] = "/pricing", ["url"] = "https://www.example.com/pricing" } });
            if (i % 5 == 0)
                events.Add(new JsonObject { ["leadId"] = ids[i].ToString(), ["type"] = "page_viewed", ["occurredAt"] = now.AddDays(-10).ToString("O"),
                    ["properties"] = new JsonObject { ["path"] = "/pricing/enterprise" } });
            if (i % 3 == 1)
                events.Add(new JsonObject { ["leadId"] = ids[i].ToString(), ["type"] = "page_viewed",
                    ["properties"] = new JsonObject { ["path"] = "/blog/post", ["title"] = i % 2 == 0 ? "100% growth" : "100 ways" } });
        }
        (await app.Api().PostAsJsonAsync("/api/v1/events", new JsonObject { ["events"] = events })).EnsureSuccessStatusCode();
    }

    /// <summary>Scores, and sent emails with opens and clicks (one click two days after its email), written directly.</summary>
    private static async Task GiveScoresAndEngagementAsync(NurtureApp app, List<Guid> ids, DateTimeOffset now)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            await db.Leads.Where(l => l.Id == id).ExecuteUpdateAsync(u => u.SetProperty(l => l.Score, i * 3));
            if (i % 3 == 2) continue;
            var sentAt = now.AddDays(-3);
            var message = new Message
            {
                LeadId = id, StepId = i % 2 == 0 ? "hello" : "other", Status = MessageStatus.Sent, SentAt = sentAt, CreatedAt = sentAt, NotBefore = sentAt,
                ToAddress = "x@example.com", FromAddress = "y@example.com", Subject = "s", Html = "", Text = "", MessageIdHeader = $"{Guid.NewGuid():N}@example.com",
            };
            db.Messages.Add(message);
            if (i % 4 == 0) Engage(ActivityKind.EmailOpened, sentAt.AddHours(1));
            if (i % 5 <= 1) Engage(ActivityKind.EmailClicked, i % 2 == 0 ? sentAt.AddHours(2) : sentAt.AddDays(2));
            void Engage(string kind, DateTimeOffset at) => db.Activities.Add(new Activity
                { LeadId = id, Kind = kind, EventType = kind, Summary = kind, At = at, RecordedAt = at, MessageId = message.Id, StepId = message.StepId });
        }
        await db.SaveChangesAsync();
    }
}
