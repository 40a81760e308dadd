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

        var first = await KeysetPage.ReadAsync(db.Leads, 50, null, CancellationToken.None, KeysetPage.ByName);
        await KeysetPage.ReadAsync(db.Leads, 50, first.NextCursor, CancellationToken.None, KeysetPage.ByName);

        // 51 rows off the index, then only those joined and sorted: no scan of the lead table, whatever the depth.
        Assert.Equal(2, plans.Plans.Count);
        Assert.All(plans.Plans, plan =>
        {
            Assert.Matches(@"Limit .*\n\s*->  Index Scan using ix_lead_name_sort on lead", plan);
            Assert.DoesNotContain("Seq Scan on lead", plan);
        });
        Assert.Contains("Index Cond: (ROW(lower(", plans.Plans[1]); // the cursor is a seek into the index
    }
}
