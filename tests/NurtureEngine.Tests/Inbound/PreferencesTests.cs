using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimeKit;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Inbound;

/// <summary>The preferences page: leave one topic (a subscription group of sequences) and stay in the rest.</summary>
[Collection(AppCollection.Name)]
public sealed class PreferencesTests
{
    [Fact]
    public async Task LeavingATopic_SuppressesThatTopicsEmail_AndJoiningAgainIsAnExplicitChoice()
    {
        await using var app = await NurtureApp.StartAsync();
        var put = await app.Api().PutAsJsonAsync("/api/v1/sequences/welcome", JsonNode.Parse("""
            { "name": "Welcome series", "topic": "product-news",
              "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [
                { "id": "welcome", "type": "email", "template": "welcome" },
                { "id": "pause-1", "type": "wait", "duration": "PT15S" },
                { "id": "nudge", "type": "email", "template": "follow-up" } ] }
            """));
        put.EnsureSuccessStatusCode();
        var badTopic = await app.Api().PutAsJsonAsync("/api/v1/sequences/other", JsonNode.Parse("""
            { "name": "Other", "topic": "Not A Slug", "trigger": { "type": "manual" }, "steps": [ { "id": "end", "type": "exit" } ] }
            """));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badTopic.StatusCode);
        Assert.Contains("topic", (await badTopic.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));

        var email = NurtureApp.UniqueEmail("topics");
        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        var welcome = (await MailSink.WaitForAsync(email)).Single().Message;
        var page = Regex.Match(welcome.Headers[HeaderId.ListUnsubscribe]!, "<(http[^>]+)>").Groups[1].Value;

        var before = await app.Anonymous().GetStringAsync(page);
        Assert.Contains("value=\"product-news\" checked", before);
        Assert.Contains("Unsubscribe from all", before);

        var leave = await app.Anonymous().PostAsync(page + "/preferences", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, leave.StatusCode);
        Assert.Contains("value=\"product-news\">", await leave.Content.ReadAsStringAsync());

        await app.WaitForKindAsync(id, "email_suppressed");
        var suppressed = (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "email_suppressed")!;
        Assert.Contains("unsubscribed from the topic product-news", suppressed["data"]!["reason"]!.GetValue<string>());
        Assert.Single(MailSink.For(email));
        Assert.Equal("subscribed", (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!["status"]!.GetValue<string>());

        var rejoin = await app.Anonymous().PostAsync(page + "/preferences",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("topic", "product-news")]));
        Assert.Contains("value=\"product-news\" checked", await rejoin.Content.ReadAsStringAsync());
        Assert.Equal(2, (await app.KindsAsync(id)).Count(k => k == "topic_changed"));
    }
}
