using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Common;
using NurtureEngine.Rendering;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>
/// Each defect of the hostile probe: input over a limit (docs/API-EXTENSIONS.md "Input limits") or of
/// the wrong shape is a 422 naming the field, never a 500 or a crash, and nothing is stored.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class InputLimitTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Sequence(string steps) =>
        $$"""{"name":"S","trigger":{"type":"manual"},"steps":{{steps}}}""";

    private static readonly string SixtyThousandSteps =
        "[" + string.Join(",", Enumerable.Range(0, 60_000).Select(i => $$"""{"id":"s{{i}}","type":"tag","add":["t"]}""")) + "]";

    public static TheoryData<string, string, string, string> Refused() => new()
    {
        { "PUT", "/api/v1/sequences/huge", Sequence(SixtyThousandSteps), "steps" },
        { "PUT", "/api/v1/sequences/nulls", Sequence("[null]"), "steps[0]" },
        { "PUT", "/api/v1/sequences/long-wait", Sequence("""[{"id":"w","type":"wait","duration":"P10675199D"}]"""), "steps[0].duration" },
        { "PUT", "/api/v1/sequences/points", Sequence("""[{"id":"p","type":"score","points":2147483647}]"""), "steps[0].points" },
        { "PUT", "/api/v1/sequences/title", Sequence("""[{"id":"t","type":"task","title":"Call\r\nBcc: x"}]"""), "steps[0].title" },
        { "PUT", "/api/v1/sequences/of-null", Sequence("""[{"id":"b","type":"branch","if":{"type":"all","of":[null]},"then":"b","else":"b"}]"""), "steps[0].if.of[0]" },
        { "PUT", "/api/v1/sequences/gte", Sequence("""[{"id":"b","type":"branch","if":{"type":"attribute","key":"n","gte":1e400},"then":"e","else":"e"},{"id":"e","type":"exit"}]"""), "steps[0].if.gte" },
        { "PUT", "/api/v1/sequences/in", Sequence("""[{"id":"b","type":"branch","if":{"type":"attribute","key":"n","in":[""" + string.Join(",", Enumerable.Range(0, 600)) + """]},"then":"e","else":"e"},{"id":"e","type":"exit"}]"""), "steps[0].if.in" },
        { "PUT", "/api/v1/scoring", """{"rules":null,"thresholds":[]}""", "rules" },
        { "PUT", "/api/v1/scoring", """{"rules":[{"event":"x","points":2147483647}],"thresholds":[]}""", "rules[0].points" },
        { "POST", "/api/v1/leads", """{"email":"deal@example.com","dealValue":1e16}""", "dealValue" },
        { "POST", "/api/v1/leads", """{"email":"tz@example.com","timeZone":"Pacific Standard Time"}""", "timeZone" },
        { "POST", "/api/v1/leads", """{"email":"tags@example.com","tags":[""" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"t{i}\"")) + "]}", "tags" },
        { "POST", "/api/v1/leads", """{"email":"attr@example.com","attributes":{"a":1,"a":2}}""", "" },
        { "PUT", "/api/v1/pipelines/long", """{"name":"@","stages":[{"key":"a"}]}""".Replace("@", new string('n', 201)), "name" },
        { "PUT", "/api/v1/pipelines/crlf", """{"name":"A\r\nB","stages":[{"key":"a"}]}""", "name" },
        { "PUT", "/api/v1/pipelines/default", """{"name":"Default","stages":[{"key":"lead"}],"moveLeadsTo":"nowhere"}""", "moveLeadsTo" },
        { "PUT", "/api/v1/templates/crlf", """{"name":"A\nB","subject":"s","html":"<p>h</p>"}""", "name" },
        { "PUT", "/api/v1/webhooks/subscriptions/long", """{"url":"https://example.com/@","events":["*"]}""".Replace("@", new string('a', 2000)), "url" },
        { "PUT", "/api/v1/webhooks/subscriptions/nulls", """{"url":"https://example.com/","events":[null]}""", "events[0]" },
        { "POST", "/api/v1/sequences/welcome/simulate", """{"lead":{"email":"sim@example.com"},"events":[""" + string.Join(",", Enumerable.Repeat("""{"after":"PT1H","type":"x"}""", 101)) + "]}", "events" },
        { "POST", "/api/v1/sequences/welcome/simulate", """{"lead":{"email":"sim@example.com"},"horizon":"P401D"}""", "horizon" },
        // Every other limit of the table in docs/API-EXTENSIONS.md, one value just over it.
        { "POST", "/api/v1/leads", Json(new { email = "name@example.com", firstName = Chars(201) }), "firstName" },
        { "POST", "/api/v1/leads", Json(new { email = "phone@example.com", phone = Chars(51) }), "phone" },
        { "POST", "/api/v1/leads", Json(new { email = "attrs@example.com", attributes = new { notes = Chars(64_001) } }), "attributes" },
        { "POST", "/api/v1/leads", Json(new { email = "text@example.com", company = Chars(InputLimits.MaxTextChars + 1) }), "company" },
        { "PUT", "/api/v1/pipelines/mib", Json(new { name = Chars(1 << 20), stages = new[] { new { key = "a" } } }), "name" },
        { "PUT", "/api/v1/pipelines/stage-name", Json(new { name = "P", stages = new[] { new { key = "a", name = Chars(201) } } }), "stages[0].name" },
        { "PUT", "/api/v1/templates/subject", Json(new { name = "T", subject = Chars(301), html = "<p>h</p>" }), "subject" },
        { "PUT", "/api/v1/segments/name", Json(new { name = Chars(201), filter = new { type = "has_tag", tag = "x" } }), "name" },
        { "PUT", "/api/v1/sequences/name", $$"""{"name":"{{Chars(201)}}","trigger":{"type":"manual"},"steps":[{"id":"e","type":"exit"}]}""", "name" },
        { "PUT", "/api/v1/sequences/task-title", Sequence($$"""[{"id":"t","type":"task","title":"{{Chars(301)}}"}]"""), "steps[0].title" },
        { "PUT", "/api/v1/sequences/all-of", Sequence("""[{"id":"b","type":"branch","if":{"type":"all","of":[""" + string.Join(",", Enumerable.Repeat("""{"type":"has_tag","tag":"t"}""", 51)) + """]},"then":"e","else":"e"},{"id":"e","type":"exit"}]"""), "steps[0].if.of" },
        { "PUT", "/api/v1/scoring", """{"rules":[],"thresholds":[{"pipeline":"default","fromStage":"lead","score":1000001,"stage":"mql"}]}""", "thresholds[0].score" },
        { "PUT", "/api/v1/scoring", """{"rules":[],"decay":{"percent":25,"every":"P3661D"},"thresholds":[]}""", "decay.every" },
        { "PUT", "/api/v1/scoring", """{"rules":[],"decay":{"percent":101,"every":"P30D"},"thresholds":[]}""", "decay.percent" },
        { "POST", "/api/v1/deals", Json(new { name = "Big", leadId = Guid.NewGuid(), amount = 1e16 }), "amount" },
        { "PUT", "/api/v1/targets/rep@example.com", """{"monthly":1e16}""", "monthly" },
        { "PUT", "/api/v1/broadcasts/name", Json(new { name = Chars(201), template = "welcome", segment = "x" }), "name" },
        { "PUT", "/api/v1/forms/name", Json(new { name = Chars(201), fields = new[] { new { name = "email", type = "email" } } }), "name" },
        { "POST", "/api/v1/companies", Json(new { name = Chars(201), domain = "acme.example" }), "name" },
    };

    private static string Chars(int n) => new('x', n);
    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task OverALimit_Is4xx_NamingTheField_AndStoresNothing(string method, string path, string json, string field)
    {
        var before = await StoredRowsAsync();
        var response = await _app.Api().SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        var body = await response.Content.ReadAsStringAsync();

        if (field == "") Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // a duplicate key: not JSON we accept
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 2000)]}");
            Assert.Contains(field, JsonNode.Parse(body)!["errors"]!.AsObject().Select(e => e.Key));
        }
        var after = await StoredRowsAsync();
        Assert.Empty(before.Where(t => after[t.Key] != t.Value).Select(t => t.Key));
    }

    [Fact]
    public async Task AnEventWithOversizedProperties_IsRejected_AndOnlyTheOthersAreStored()
    {
        var lead = await _app.CreateLeadAsync(new { email = "props@example.com" });
        var response = await _app.Api().PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[]
            {
                new { email = "props@example.com", type = "big", properties = new { text = Chars(InputLimits.MaxEventPropertiesJsonChars) } },
                new { email = "props@example.com", type = "small", properties = new { text = "ok" } },
            },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, result["accepted"]!.GetValue<int>());
        Assert.Equal(0, result["rejected"]![0]!["index"]!.GetValue<int>());
        Assert.Contains("properties", result["rejected"]![0]!["error"]!.GetValue<string>());
        await _app.WaitForKindAsync(lead["id"]!.GetValue<string>(), "event");
        var events = (await _app.TimelineAsync(lead["id"]!.GetValue<string>())).Where(e => e!["kind"]!.GetValue<string>() == "event").ToList();
        Assert.Single(events);
        Assert.DoesNotContain("big", events[0]!["summary"]!.GetValue<string>());
    }

    /// <summary>Every table of the nurture schema as row count and a hash of its rows: a refused request leaves each as it was.</summary>
    private async Task<Dictionary<string, string>> StoredRowsAsync()
    {
        using var scope = _app.Services.CreateScope();
        var connection = scope.ServiceProvider.GetRequiredService<NurtureEngine.Data.NurtureDbContext>().Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT tablename FROM pg_tables WHERE schemaname = 'nurture' ORDER BY 1";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var rows = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM nurture.\"{table}\" t";
            rows[table] = (string)(await command.ExecuteScalarAsync())!;
        }
        return rows;
    }

    [Theory]
    [InlineData("[::127.0.0.1]")]
    [InlineData("[::ffff:0:127.0.0.1]")]
    [InlineData("[2002:7f00:1::]")]
    [InlineData("192.88.99.1")]
    [InlineData("[100::1]")]
    [InlineData("[2001::1]")]
    [InlineData("[2001:10::1]")]
    public async Task AWebhookToATunnelOrReservedAddress_IsRefused(string host)
    {
        var response = await _app.Api().PutAsJsonAsync("/api/v1/webhooks/subscriptions/tunnel", new { url = $"http://{host}/hook", events = new[] { "*" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(0, _app.Db(db => db.WebhookSubscriptions.Count()));
    }

    [Fact]
    public void TheTextPart_OfAnUnclosedScriptRepeated16000Times_IsDerivedInLinearTime()
    {
        var html = string.Concat(Enumerable.Repeat("<script>", 16_000)) + "<p>Hello</p>";
        var watch = Stopwatch.StartNew();

        HtmlToText.Convert(html);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal("Hello\n", HtmlToText.Convert("<script>x</script><p>Hello</p>"));
    }

    [Fact]
    public async Task TagsAndAttributesAddedCallByCall_StopAtTheLeadsLimit_NamingTheField()
    {
        var email = NurtureApp.UniqueEmail("grow");
        async Task<HttpResponseMessage> Upsert(object body) => await _app.Api().PostAsJsonAsync("/api/v1/leads", body);
        var big = new string('x', 60_000);
        for (var call = 0; call < 10; call++) // 1,000 tags and 240,000 characters of attributes, each call within its own limits
        {
            var tags = Enumerable.Range(0, 100).Select(i => $"t{call}-{i}").ToArray();
            var attributes = call < 4 ? new Dictionary<string, string> { [$"a{call}"] = big } : [];
            Assert.True((await Upsert(new { email, tags, attributes })).IsSuccessStatusCode);
        }

        var moreTags = await Upsert(new { email, tags = new[] { "one-more" } });
        var moreAttributes = await Upsert(new { email, attributes = new { b = big } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, moreTags.StatusCode);
        Assert.Contains("tags", JsonNode.Parse(await moreTags.Content.ReadAsStringAsync())!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, moreAttributes.StatusCode);
        Assert.Contains("attributes", JsonNode.Parse(await moreAttributes.Content.ReadAsStringAsync())!["errors"]!.AsObject().Select(e => e.Key));
        var lead = _app.Db(db => db.Leads.Single(l => l.Email == email));
        Assert.Equal(1000, lead.Tags.Count);
        Assert.DoesNotContain("\"b\"", lead.AttributesJson);
        // Replacing a value, or a tag the lead has, still works.
        Assert.Equal(HttpStatusCode.OK, (await Upsert(new { email, tags = new[] { "t1-1" }, attributes = new { a0 = "small" } })).StatusCode);
    }
}
