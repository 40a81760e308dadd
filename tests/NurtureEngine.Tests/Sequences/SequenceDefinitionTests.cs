using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>A definition that can never run is refused with 422 naming the problem; a good one is versioned.</summary>
[Collection(AppCollection.Name)]
public sealed class SequenceDefinitionTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static JsonNode Sequence(string steps, string trigger = """{ "type": "manual" }""") =>
        JsonNode.Parse($$"""{ "name": "Test", "trigger": {{trigger}}, "steps": {{steps}} }""")!;

    [Theory]
    [InlineData("""[ { "id": "a", "type": "branch", "if": { "type": "opened" }, "then": "a", "else": "nowhere" } ]""", "steps[0].else", "nowhere")]
    [InlineData("""[ { "id": "a", "type": "email", "template": "no-such-template" } ]""", "steps[0].template", "no-such-template")]
    [InlineData("""[ { "id": "a", "type": "stage", "stage": "heaven" } ]""", "steps[0].stage", "heaven")]
    [InlineData("""[ { "id": "a", "type": "score", "points": 1 }, { "id": "b", "type": "goto", "to": "a" } ]""", "steps", "loop")]
    [InlineData("""[ { "id": "a", "type": "email", "variants": [ { "template": "welcome", "weight": 50 }, { "template": "follow-up", "weight": 40 } ] } ]""", "steps[0].variants", "100")]
    [InlineData("""[ { "id": "a", "type": "wait", "duration": "two days" } ]""", "steps[0].duration", "ISO 8601")]
    [InlineData("""[ { "id": "a", "type": "teleport" } ]""", "steps[0].type", "teleport")]
    [InlineData("""[ { "id": "a", "type": "email", "template": "welcome" } ] , "sendWindow": { "from": "17:00", "to": "09:00" }""", "sendWindow.to", "later than from")]
    public async Task ADefinitionThatCanNeverRun_Is422_NamingTheProblem(string steps, string field, string mentions)
    {
        var response = await _app.Api().PutAsJsonAsync("/api/v1/sequences/broken", Sequence(steps));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors: {errors.ToJsonString()}");
        Assert.Contains(mentions, errors[field]!.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Api().GetAsync("/api/v1/sequences/broken")).StatusCode);
    }

    [Fact]
    public async Task ALoopWithAWait_IsAllowed_AndEachPutIsANewVersion()
    {
        var steps = """[ { "id": "a", "type": "email", "template": "welcome" }, { "id": "w", "type": "wait", "duration": "P7D" }, { "id": "b", "type": "goto", "to": "a" } ]""";

        var created = await _app.Api().PutAsJsonAsync("/api/v1/sequences/loop", Sequence(steps));
        var replaced = await _app.Api().PutAsJsonAsync("/api/v1/sequences/loop", Sequence(steps));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(2, (await replaced.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task SavesOfOneSequenceOrTemplateAtOnce_EachMakeTheirOwnVersion()
    {
        var steps = """[ { "id": "a", "type": "email", "template": "welcome" } ]""";
        var template = new { name = "Busy", subject = "Hi {{ lead.first_name }}", html = "<p>Hello</p>" };
        foreach (var (path, body) in new (string, object)[] { ("/api/v1/sequences/busy", Sequence(steps)), ("/api/v1/templates/busy", template) })
        {
            // The first saves race to create it; the others queue behind the lock.
            var saves = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _app.Api().PutAsJsonAsync(path, body)));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created],
                saves.Select(r => r.StatusCode).Order());
            var versions = await Task.WhenAll(saves.Select(async r => (await r.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<int>()));
            Assert.Equal(Enumerable.Range(1, 6), versions.Order());
        }
    }
}
