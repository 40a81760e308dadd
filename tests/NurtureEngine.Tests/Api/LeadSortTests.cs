using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Leads;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Api;

/// <summary>The lead list's sorted orders (docs/API-EXTENSIONS.md "Lead list order"): each pages by its cursor and is served by an index.</summary>
[Collection(AppCollection.Name)]
public sealed class LeadSortTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<List<string>> WalkAsync(string query)
    {
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads?{query}&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}"))!;
            seen.AddRange(page["items"]!.AsArray().Select(l => l!["email"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null && seen.Count < 100);
        return seen;
    }

    [Fact]
    public async Task SortByName_ListsFirstAndLastNameAToZ_CaseIgnored_NamelessFirst_PageByPage()
    {
        foreach (var (email, first, last) in new (string, string?, string?)[]
        {
            ("bob@example.com", "bob", "Young"), ("zed@example.com", "Alice", "Zed"), ("nameless@example.com", null, null),
            ("adams@example.com", "alice", "Adams"), ("twin2@example.com", "Carl", "Twin"), ("twin1@example.com", "carl", "twin"),
        })
            await _app.CreateLeadAsync(new { email, firstName = first, lastName = last, tags = new[] { "sorted" } });
        var twins = _app.Db(db => db.Leads.Where(l => l.LastName!.ToLower() == "twin").OrderBy(l => l.Id).Select(l => l.Email).ToList());

        var order = await WalkAsync("tag=sorted&sort=name");

        Assert.Equal(["nameless@example.com", "adams@example.com", "zed@example.com", "bob@example.com", .. twins], order);
    }

    [Fact]
    public async Task ANameCursorThatWasNotReturned_Is422Cursor()
    {
        var response = await _app.Api().GetAsync("/api/v1/leads?sort=name&cursor=bm90LWEtY3Vyc29y");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("cursor", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task SortByName_DeepPages_ReadTheNameIndex_NotASortOfEveryLead()
    {
        await BulkLeads.CreateAsync(_app, [.. Enumerable.Range(0, 5000).Select(i => $"bulk{i}@example.com")]);
        var plans = new QueryPlans();
        await using var db = plans.Context(_app);

        var first = await KeysetPage.ReadAsync(db, db.Leads, 50, null, CancellationToken.None, KeysetPage.ByName);
        await KeysetPage.ReadAsync(db, db.Leads, 50, first.NextCursor, CancellationToken.None, KeysetPage.ByName);

        // 51 rows off the index, then only those joined and sorted: no scan of the lead table, whatever the depth.
        Assert.Equal(2, plans.Plans.Count);
        Assert.All(plans.Plans, plan =>
        {
            Assert.Matches(@"Limit .*\n\s*->  Index Scan using ix_lead_name_sort on lead", plan);
            Assert.DoesNotContain("Seq Scan on lead", plan);
        });
        Assert.Contains("Index Cond: (ROW(lower(", plans.Plans[1]); // the cursor is a seek into the index
    }

    [Fact]
    public async Task SortByCompany_ListsWhatTheCompanyColumnShows_AToZ_CaseIgnored_TiesById_NoneLast_PageByPage()
    {
        (await _app.Api().PostAsJsonAsync("/api/v1/companies", new { name = "Beta Corp", domain = "beta-corp.test" })).EnsureSuccessStatusCode();
        foreach (var (email, company) in new (string, string?)[]
        {
            ("nocompany@other.test", null), ("linked@beta-corp.test", "Zeta"), ("alpha@other.test", "alpha inc"),
            ("empty@other.test", ""), ("text-beta@other.test", "beta corp"), ("linked2@beta-corp.test", null), ("gamma@other.test", "Gamma"),
        })
            await _app.CreateLeadAsync(new { email, company, tags = new[] { "sorted" } });
        string[] ById(params string[] emails) => _app.Db(db => db.Leads.Where(l => emails.Contains(l.Email)).OrderBy(l => l.Id).Select(l => l.Email).ToArray());

        var order = await WalkAsync("tag=sorted&sort=company");

        // "Zeta" is the linked lead's own text, but the column shows its company, Beta Corp.
        Assert.Equal(["alpha@other.test", .. ById("linked@beta-corp.test", "text-beta@other.test", "linked2@beta-corp.test"), "gamma@other.test",
            .. ById("nocompany@other.test", "empty@other.test")], order);
    }

    [Fact]
    public async Task SortByStage_ListsPipelinesInOrder_StagesInTheirOrder_TiesById_PageByPage()
    {
        (await _app.Api().PutAsJsonAsync("/api/v1/pipelines/partners", new
        {
            name = "Partners", stages = new[] { new { key = "applied", name = "Applied" }, new { key = "approved", name = "Approved" } },
        })).EnsureSuccessStatusCode();
        foreach (var (email, pipeline, stage) in new (string, string?, string?)[]
        {
            ("partner@example.com", "partners", "applied"), ("sql1@example.com", null, "sql"), ("new1@example.com", null, null),
            ("approved@example.com", "partners", "approved"), ("mql@example.com", null, "mql"), ("new2@example.com", null, null), ("sql2@example.com", null, "sql"),
        })
            await _app.CreateLeadAsync(new { email, pipeline, stage, tags = new[] { "sorted" } });

        var order = await WalkAsync("tag=sorted&sort=stage");

        Assert.Equal(["new1@example.com", "new2@example.com", "mql@example.com", "sql1@example.com", "sql2@example.com", "partner@example.com", "approved@example.com"], order);
    }

    [Fact]
    public async Task SortByLastActivity_ListsTheLatestRecordedFirst_ThoseWithoutActivityLast_ById_PageByPage()
    {
        await _app.QuietDemoSequencesAsync(); // no welcome email to add timeline rows meanwhile
        foreach (var email in new[] { "a@example.com", "b@example.com", "c@example.com", "d@example.com" })
            await _app.CreateLeadAsync(new { email, tags = new[] { "sorted" } });
        var quiet = await BulkLeads.CreateAsync(_app, ["quiet1@example.com", "quiet2@example.com"], "sorted"); // no timeline at all
        await PostEventAsync("b@example.com", null);
        await PostEventAsync("a@example.com", null);
        await PostEventAsync("c@example.com", DateTimeOffset.UtcNow.AddYears(-1)); // backdated, but what arrived last

        var order = await WalkAsync("tag=sorted&sort=lastActivity");

        var quietInOrder = _app.Db(db => db.Leads.Where(l => quiet.Contains(l.Id)).OrderBy(l => l.Id).Select(l => l.Email).ToArray());
        Assert.Equal(["c@example.com", "a@example.com", "b@example.com", "d@example.com", .. quietInOrder], order);
    }

    private async Task PostEventAsync(string email, DateTimeOffset? occurredAt) =>
        (await _app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { email, type = "sort_test_ping", occurredAt } } })).EnsureSuccessStatusCode();

    [Theory]
    [InlineData("company")]
    [InlineData("stage")]
    [InlineData("lastActivity")]
    public async Task ACursorThatWasNotReturned_Is422Cursor_InEverySort(string sort)
    {
        var response = await _app.Api().GetAsync($"/api/v1/leads?sort={sort}&cursor=bm90LWEtY3Vyc29y");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("cursor", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task AnUnknownSort_Is422Sort()
    {
        var response = await _app.Api().GetAsync("/api/v1/leads?sort=owner");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("sort", (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }

    /// <summary>5,000 leads: a third linked to one of 50 companies, a third with their own company text, the rest with none.</summary>
    private async Task<Guid[]> ManyLeadsWithCompaniesAsync()
    {
        var ids = await BulkLeads.CreateAsync(_app, [.. Enumerable.Range(0, 5000).Select(i => $"bulk{i}@example.com")]);
        await using var c = new Npgsql.NpgsqlConnection(_app.ConnectionString);
        await c.OpenAsync();
        await new Npgsql.NpgsqlCommand("""
            INSERT INTO nurture.company (id, name, domain, attributes, created_at, updated_at)
                SELECT gen_random_uuid(), 'Company ' || i, 'company' || i || '.test', '{}', now(), now() FROM generate_series(1, 50) i;
            UPDATE nurture.lead SET company_id = (SELECT id FROM nurture.company ORDER BY name OFFSET (hashtext(lead.email) & 1023) % 50 LIMIT 1)
                WHERE hashtext(email) % 3 = 0;
            UPDATE nurture.lead SET company = 'Own ' || (hashtext(email) & 4095) WHERE company_id IS NULL AND hashtext(email) % 3 = 1;
            ANALYZE nurture.lead; ANALYZE nurture.company;
            """, c).ExecuteNonQueryAsync();
        return ids;
    }

    [Fact]
    public async Task SortByCompany_FirstAndDeepPages_ReadTheirIndexes_NotASortOfEveryLead()
    {
        await ManyLeadsWithCompaniesAsync();
        var plans = new QueryPlans();
        await using var db = plans.Context(_app);

        var first = await KeysetPage.ReadAsync(db, db.Leads, 50, null, CancellationToken.None, KeysetPage.ByCompany);
        await KeysetPage.ReadAsync(db, db.Leads, 50, first.NextCursor, CancellationToken.None, KeysetPage.ByCompany);

        var sorted = plans.Plans.Where(p => p.Contains("ix_lead_company_sort")).ToList();
        Assert.Equal(2, sorted.Count); // first page and the next: each merges two index reads of a page
        Assert.All(sorted, plan =>
        {
            Assert.Contains("Index Scan using ix_company_name_sort on company", plan);
            Assert.DoesNotContain("Seq Scan on lead", plan);
        });
        Assert.Contains("Index Cond: (ROW(lower(", sorted[1]); // the cursor is a seek into the index
    }

    [Fact]
    public async Task SortByStage_FirstAndDeepPages_SeekStageByStage_NotASortOfEveryLead()
    {
        await BulkLeads.CreateAsync(_app, [.. Enumerable.Range(0, 5000).Select(i => $"bulk{i}@example.com")]);
        await using (var c = new Npgsql.NpgsqlConnection(_app.ConnectionString))
        {
            await c.OpenAsync();
            // Most leads in the first stage, fewer further on, none in the last: a pipeline as it looks.
            await new Npgsql.NpgsqlCommand("""
                UPDATE nurture.lead SET stage_id = (SELECT id FROM nurture.stage s WHERE s.pipeline_id = lead.pipeline_id ORDER BY position
                    OFFSET (SELECT CASE WHEN v < 10 THEN 0 WHEN v < 15 THEN 1 WHEN v < 18 THEN 2 ELSE 3 END FROM (SELECT (hashtext(email) & 1023) % 20 AS v) h) LIMIT 1);
                ANALYZE nurture.lead;
                """, c).ExecuteNonQueryAsync();
        }
        var plans = new QueryPlans();
        await using var db = plans.Context(_app);

        // Every page to the end, each a keyset read (some span two stages, the last crosses the empty ones).
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await KeysetPage.ReadAsync(db, db.Leads, 50, cursor, CancellationToken.None, KeysetPage.ByStage);
            seen.AddRange(page.Items.Select(l => l.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.Equal(5000, seen.Distinct().Count());
        var stageReads = plans.Plans.Where(p => p.Contains("stage_id =")).ToList();
        Assert.True(stageReads.Count > 100, string.Join("\n\n", plans.Plans));
        Assert.All(stageReads, plan =>
        {
            Assert.StartsWith("Limit", plan); // a page at most from each stage read
            Assert.DoesNotContain("Seq Scan on lead", plan);
        });
        // A stage without leads costs one index probe, not a walk of every lead looking for it.
        var empty = _app.Db(db => db.Stages.Where(s => s.Pipeline.Object == NurtureEngine.Pipelines.PipelineObject.Lead && !db.Leads.Any(l => l.StageId == s.Id)).Select(s => s.Id).ToList());
        Assert.NotEmpty(empty);
        Assert.All(empty, stage => Assert.Contains(stageReads, plan =>
            plan.Contains("Index Only Scan using ix_lead_stage_id_id on lead") && plan.Contains($"Index Cond: (stage_id = '{stage}'::bigint)")));
    }

    [Fact]
    public async Task SortByLastActivity_OverManyLeads_WalksTheTimelineNewestFirst_NotASortOfEveryLead_AndPagesAsTheProbeWould()
    {
        var ids = await BulkLeads.CreateAsync(_app, [.. Enumerable.Range(0, KeysetPage.ProbedAtMost + 500).Select(i => $"bulk{i}@example.com")]);
        await using (var c = new Npgsql.NpgsqlConnection(_app.ConnectionString))
        {
            await c.OpenAsync();
            // Two rows for most leads, in an order unrelated to the lead's id; the last 100 leads have none.
            await new Npgsql.NpgsqlCommand("""
                INSERT INTO nurture.activity (lead_id, kind, event_type, summary, data, at, recorded_at)
                    SELECT id, 'event', 'seen', 'seen', '{}', now(), now()
                    FROM (SELECT id FROM nurture.lead, generate_series(1, 2) ORDER BY hashtext(id::text || random()::text)) l
                    WHERE id NOT IN (SELECT id FROM nurture.lead ORDER BY id DESC LIMIT 100);
                ANALYZE nurture.lead; ANALYZE nurture.activity;
                """, c).ExecuteNonQueryAsync();
        }
        var expected = _app.Db(db => db.Activities.GroupBy(a => a.LeadId).Select(g => new { g.Key, Newest = g.Max(a => a.Id) })
            .OrderByDescending(x => x.Newest).Take(100).Select(x => x.Key).ToList());
        var plans = new QueryPlans();
        await using var db = plans.Context(_app);

        var first = await KeysetPage.ReadAsync(db, db.Leads, 50, null, CancellationToken.None, KeysetPage.ByLastActivity);
        var second = await KeysetPage.ReadAsync(db, db.Leads, 50, first.NextCursor, CancellationToken.None, KeysetPage.ByLastActivity);

        Assert.Equal(expected, first.Items.Concat(second.Items).Select(l => l.Id));
        var walks = plans.Plans.Where(p => p.Contains("on activity")).ToList();
        Assert.Equal(2, walks.Count);
        Assert.All(walks, plan =>
        {
            Assert.Matches(@"Limit .*\n(.*\n)*?\s*->  Index Scan Backward using pk_activity on activity", plan);
            Assert.DoesNotContain("Seq Scan", plan);
            Assert.DoesNotContain("Sort", plan);
        });
    }
}
