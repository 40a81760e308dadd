using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Admin;

[Collection(AppCollection.Name)]
public sealed class LeadListTagTests
{
    [Fact]
    public async Task ARareTag_ListsItsLeadsInIdOrder_PageByPage_AndAnUnknownTagNone()
    {
        await using var app = await NurtureApp.StartAsync();
        var tagged = new List<string>();
        for (var i = 0; i < 3; i++) tagged.Add((await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("rare"), tags = new[] { "rare-tag" } }))["id"]!.GetValue<string>());
        await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("plain") });

        var first = (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/leads?tag=rare-tag&limit=2"))!;
        var second = (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads?tag=rare-tag&limit=2&cursor={first["nextCursor"]}"))!;
        var listed = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(l => l!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(tagged.Order(StringComparer.Ordinal), listed); // uuid order is the canonical text order
        Assert.Null(second["nextCursor"]);
        // Combined with another filter, the tag still narrows.
        var inMql = (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/leads?tag=rare-tag&stage=mql"))!;
        Assert.Empty(inMql["items"]!.AsArray());
        var none = (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/leads?tag=nobody-has-this"))!;
        Assert.Empty(none["items"]!.AsArray());
    }
}
