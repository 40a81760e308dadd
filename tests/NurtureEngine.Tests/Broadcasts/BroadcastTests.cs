using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Broadcasts;

/// <summary>
/// Broadcasts (API.md "Broadcasts") on a web-only app with a fake clock: the test runs the due work and the
/// outbox itself, so it sees each moment; the emails go through the real SMTP sink.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class BroadcastTests
{
    [GeneratedRegex("href=\"http://localhost(/t/c/[^\"]+)\"")] private static partial Regex TrackedLink();

    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-01T06:00:00Z");

    private static async Task<(NurtureApp App, FakeTimeProvider Clock, string Tag)> StartAsync(DateTimeOffset? start = null)
    {
        var clock = new FakeTimeProvider(start ?? Start);
        var app = await NurtureApp.StartDrivenAsync(clock);
        var tag = "news" + Guid.NewGuid().ToString("N")[..8];
        (await app.Api().PutAsJsonAsync($"/api/v1/segments/{tag}", new { name = "Newsletter readers", filter = new { type = "has_tag", tag } })).EnsureSuccessStatusCode();
        foreach (var (key, subject) in new[] { ("dec-a", "December news A"), ("dec-b", "December news B") })
            (await app.Api().PutAsJsonAsync($"/api/v1/templates/{key}", new
            {
                name = subject, subject = subject + " for {{ lead.first_name }}",
                html = "<p>Hello {{ lead.first_name }}</p><p><a href=\"https://example.com/offer\">See the offer</a></p>",
            })).EnsureSuccessStatusCode();
        return (app, clock, tag);
    }

    private static async Task<string> LeadAsync(NurtureApp app, string email, string tag, object? extra = null)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        body["email"] = email;
        body["firstName"] = "Ada";
        body["tags"] = new JsonArray(tag);
        return (await app.CreateLeadAsync(body))["id"]!.GetValue<string>();
    }

    private static async Task<JsonObject> PostAsync(NurtureApp app, string path, object? body = null)
    {
        var response = body is null ? await app.Api().PostAsync(path, null) : await app.Api().PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<JsonObject> GetAsync(NurtureApp app, string key) =>
        (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/broadcasts/{key}"))!;

    [Fact]
    public async Task ABroadcast_EmailsEachEligibleMemberOnce_ExcludesWhoCannotReceiveIt_AndIgnoresLateJoiners()
    {
        var (app, _, tag) = await StartAsync();
        await using var _ = app;
        var readers = Enumerable.Range(0, 5).Select(i => NurtureApp.UniqueEmail($"reader{i}")).ToList();
        foreach (var r in readers) await LeadAsync(app, r, tag);
        var outsider = NurtureApp.UniqueEmail("outsider");
        await app.CreateLeadAsync(new { email = outsider });
        var unsubscribed = NurtureApp.UniqueEmail("gone");
        var goneId = await LeadAsync(app, unsubscribed, tag);
        app.Db(db => db.Leads.Where(l => l.Id == Guid.Parse(goneId)).ExecuteUpdate(u => u.SetProperty(l => l.Status, NurtureEngine.Leads.LeadStatus.Unsubscribed)));
        var suppressed = NurtureApp.UniqueEmail("listed");
        await LeadAsync(app, suppressed, tag);
        (await app.Api().PostAsJsonAsync("/api/v1/suppressions", new { email = suppressed, reason = "asked by phone" })).EnsureSuccessStatusCode();
        var optedOut = NurtureApp.UniqueEmail("topic");
        var optedOutId = await LeadAsync(app, optedOut, tag);
        app.Db(db =>
        {
            db.TopicOptOuts.Add(new NurtureEngine.Preferences.TopicOptOut { LeadId = Guid.Parse(optedOutId), Topic = "newsletter", CreatedAt = Start });
            return db.SaveChanges();
        });

        var put = await app.Api().PutAsJsonAsync("/api/v1/broadcasts/dec-news", new { name = "December news", template = "dec-a", segment = tag, topic = "newsletter" });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("draft", (await put.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        var started = await PostAsync(app, "/api/v1/broadcasts/dec-news/send");
        Assert.Equal("sending", started["status"]!.GetValue<string>());
        Assert.Equal(5, started["audience"]!.GetValue<int>());

        var late = NurtureApp.UniqueEmail("late");
        await LeadAsync(app, late, tag);                           // joins the segment after the start: gets nothing
        await PostAsync(app, "/api/v1/broadcasts/dec-news/send"); // a second send changes nothing
        await app.RunDueAsync();
        await app.RunDueAsync();

        foreach (var r in readers)
        {
            var mail = Assert.Single(MailSink.For(r));
            Assert.Equal("December news A for Ada", mail.Message.Subject);
        }
        foreach (var excluded in new[] { outsider, unsubscribed, suppressed, optedOut, late }) Assert.Empty(MailSink.For(excluded));

        var report = await GetAsync(app, "dec-news");
        Assert.Equal("sent", report["status"]!.GetValue<string>());
        Assert.Equal(5, report["stats"]!["sent"]!.GetValue<int>());
        Assert.Equal(0, report["stats"]!["failed"]!.GetValue<int>());
        var readerId = app.Db(db => db.Leads.Single(l => l.Email == readers[0]).Id.ToString());
        var sent = (await app.TimelineAsync(readerId)).Single(e => e!["kind"]!.GetValue<string>() == "email_sent")!;
        Assert.Equal("dec-news", sent["data"]!["broadcast"]!.GetValue<string>());
        Assert.Contains("dec-news", (await app.Api().GetStringAsync("/api/v1/broadcasts")));
    }

    [Fact]
    public async Task ClicksOpensAndUnsubscribes_AreCountedPerRecipientAndPerLink_AndAClickedConditionNamesTheBroadcast()
    {
        var (app, _, tag) = await StartAsync();
        await using var _ = app;
        var readers = Enumerable.Range(0, 3).Select(i => NurtureApp.UniqueEmail($"reader{i}")).ToList();
        foreach (var r in readers) await LeadAsync(app, r, tag);
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/clicks", new { name = "Clicks", template = "dec-a", segment = tag })).EnsureSuccessStatusCode();
        await PostAsync(app, "/api/v1/broadcasts/clicks/send");
        await app.RunDueAsync();

        var link = TrackedLink().Match(Assert.Single(MailSink.For(readers[0])).Message.HtmlBody!).Groups[1].Value;
        Assert.Equal(HttpStatusCode.Redirect, (await app.Anonymous().GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await app.Anonymous().GetAsync(link)).StatusCode); // the same person twice
        var other = TrackedLink().Match(Assert.Single(MailSink.For(readers[1])).Message.HtmlBody!).Groups[1].Value;
        await app.Anonymous().GetAsync(other);

        var report = await GetAsync(app, "clicks");
        Assert.Equal(2, report["stats"]!["clicked"]!.GetValue<int>());
        var row = Assert.Single(report["links"]!.AsArray())!;
        Assert.Equal("https://example.com/offer", row["url"]!.GetValue<string>());
        Assert.Equal(3, row["clicks"]!.GetValue<int>());
        Assert.Equal(2, row["uniqueClicks"]!.GetValue<int>());

        // The list (one grouped query for all broadcasts) shows each broadcast's own stats and links, as its own page does.
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/quiet", new { name = "Quiet", template = "dec-b", segment = tag })).EnsureSuccessStatusCode();
        await PostAsync(app, "/api/v1/broadcasts/quiet/send");
        await app.RunDueAsync();
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/later", new { name = "Later", template = "dec-b", segment = tag })).EnsureSuccessStatusCode();
        var list = (await app.Api().GetFromJsonAsync<JsonArray>("/api/v1/broadcasts"))!;
        foreach (var key in new[] { "clicks", "quiet", "later" })
            Assert.True(JsonNode.DeepEquals(await GetAsync(app, key), list.Single(b => b!["key"]!.GetValue<string>() == key)), key);
        var quiet = list.Single(b => b!["key"]!.GetValue<string>() == "quiet")!;
        Assert.Equal(3, quiet["stats"]!["sent"]!.GetValue<int>());
        Assert.Equal(0, quiet["stats"]!["clicked"]!.GetValue<int>());
        Assert.Empty(quiet["links"]!.AsArray());
        Assert.Equal(2, list.Single(b => b!["key"]!.GetValue<string>() == "clicks")!["stats"]!["clicked"]!.GetValue<int>());

        var count = await app.Api().PostAsJsonAsync("/api/v1/segments/count", new { filter = new { type = "clicked", broadcast = "clicks" } });
        Assert.Equal(2, (await count.Content.ReadFromJsonAsync<JsonObject>())!["members"]!.GetValue<int>());
    }

    [Fact]
    public async Task LocalTime_SendsAtNineInBerlinNewYorkAndTokyo()
    {
        var (app, clock, tag) = await StartAsync(DateTimeOffset.Parse("2026-12-09T12:00:00Z"));
        await using var _ = app;
        var zones = new Dictionary<string, string> { ["Europe/Berlin"] = "2026-12-10T08:00:00Z", ["America/New_York"] = "2026-12-10T14:00:00Z", ["Asia/Tokyo"] = "2026-12-10T00:00:00Z" };
        var emails = zones.Keys.ToDictionary(z => z, z => NurtureApp.UniqueEmail(z.Split('/')[1].ToLowerInvariant()));
        foreach (var (zone, email) in emails) await LeadAsync(app, email, tag, new { timeZone = zone });
        var put = await app.Api().PutAsJsonAsync("/api/v1/broadcasts/morning", new
        {
            name = "Good morning", template = "dec-a", segment = tag, sendAt = "2026-12-10T09:00:00", localTime = true,
        });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("scheduled", (await put.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());

        foreach (var (zone, at) in zones.OrderBy(z => z.Value))
        {
            clock.SetUtcNow(DateTimeOffset.Parse(at).AddMinutes(-1));
            await app.RunDueAsync();
            Assert.Empty(MailSink.For(emails[zone]));
            clock.SetUtcNow(DateTimeOffset.Parse(at));
            await app.RunDueAsync();
            Assert.Single(MailSink.For(emails[zone]));
        }
        Assert.Equal("sent", (await GetAsync(app, "morning"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABTest_SendsTheVariantWithMoreClicksToTheRest_AndSaysWhy_MachineOpensDoNotCount()
    {
        var (app, clock, tag) = await StartAsync();
        await using var _ = app;
        var readers = Enumerable.Range(0, 20).Select(i => NurtureApp.UniqueEmail($"ab{i}")).ToList();
        foreach (var r in readers) await LeadAsync(app, r, tag);
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/ab", new
        {
            name = "A/B", template = "dec-a", segment = tag,
            abTest = new { variants = new[] { new { template = "dec-a", weight = 1 }, new { template = "dec-b", weight = 1 } }, samplePercent = 50, winnerBy = "clicks", decideAfter = "PT4H" },
        })).EnsureSuccessStatusCode();
        await PostAsync(app, "/api/v1/broadcasts/ab/send");
        await app.RunDueAsync();

        var received = readers.Where(r => MailSink.For(r).Count == 1).ToList();
        Assert.Equal(10, received.Count);                          // the sample only
        var bReaders = received.Where(r => MailSink.For(r)[0].Message.Subject!.StartsWith("December news B")).ToList();
        var aReaders = received.Except(bReaders).ToList();
        Assert.Equal(5, bReaders.Count);
        // One click on B; A's readers' mail is opened by a privacy proxy, which does not count.
        var link = TrackedLink().Match(MailSink.For(bReaders[0])[0].Message.HtmlBody!).Groups[1].Value;
        await app.Anonymous().GetAsync(link);

        clock.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMinutes(1));
        await app.RunDueAsync();
        Assert.Equal(10, readers.Count(r => MailSink.For(r).Count == 1));
        Assert.Null((await GetAsync(app, "ab"))["winner"]);

        clock.Advance(TimeSpan.FromMinutes(1));
        await app.RunDueAsync();
        var report = await GetAsync(app, "ab");
        Assert.Equal("dec-b", report["winner"]!.GetValue<string>());
        Assert.Contains("click rate", report["decision"]!["reason"]!.GetValue<string>());
        var rest = readers.Except(received).ToList();
        Assert.All(rest, r => Assert.StartsWith("December news B", Assert.Single(MailSink.For(r)).Message.Subject!));
        Assert.All(readers, r => Assert.Single(MailSink.For(r)));
        Assert.Equal(20, report["stats"]!["sent"]!.GetValue<int>());
        var variants = report["stats"]!["variants"]!.AsArray();
        Assert.Equal(1, variants[1]!["stats"]!["clicked"]!.GetValue<int>());
        Assert.Equal("sent", report["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ATieGoesToTheFirstVariant_AndMachineOpensDoNotDecideAnOpensTest()
    {
        var (app, clock, tag) = await StartAsync();
        await using var _ = app;
        var readers = Enumerable.Range(0, 8).Select(i => NurtureApp.UniqueEmail($"tie{i}")).ToList();
        foreach (var r in readers) await LeadAsync(app, r, tag);
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/tie", new
        {
            name = "Tie", template = "dec-a", segment = tag,
            abTest = new { variants = new[] { new { template = "dec-b" } }, samplePercent = 50, winnerBy = "opens", decideAfter = "PT1H" },
        })).EnsureSuccessStatusCode();
        await PostAsync(app, "/api/v1/broadcasts/tie/send");
        await app.RunDueAsync();
        // B's mail is fetched by Apple's privacy proxy right after sending: a machine open.
        var b = readers.First(r => MailSink.For(r) is [{ } m] && m.Message.Subject!.StartsWith("December news B"));
        var pixel = Regex.Match(MailSink.For(b)[0].Message.HtmlBody!, "src=\"http://localhost(/t/o/[^\"]+)\"").Groups[1].Value;
        var proxy = new HttpRequestMessage(HttpMethod.Get, pixel);
        proxy.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0");
        await app.Anonymous().SendAsync(proxy);

        clock.Advance(TimeSpan.FromHours(1));
        await app.RunDueAsync();
        var report = await GetAsync(app, "tie");
        Assert.Equal("dec-a", report["winner"]!.GetValue<string>());
        Assert.Contains("tie", report["decision"]!["reason"]!.GetValue<string>());
        Assert.Equal(0, report["stats"]!["opened"]!.GetValue<int>());
    }

    [Fact]
    public async Task PauseHoldsQueuedEmail_ResumeGoesOn_CancelSendsNothingMore()
    {
        var (app, _, tag) = await StartAsync();
        await using var _ = app;
        var readers = Enumerable.Range(0, 4).Select(i => NurtureApp.UniqueEmail($"pause{i}")).ToList();
        foreach (var r in readers) await LeadAsync(app, r, tag);
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/held", new { name = "Held", template = "dec-a", segment = tag })).EnsureSuccessStatusCode();
        await PostAsync(app, "/api/v1/broadcasts/held/send");
        await app.RunDueStepsAsync();                              // queued in the outbox, not sent yet
        Assert.Equal("paused", (await PostAsync(app, "/api/v1/broadcasts/held/pause"))["status"]!.GetValue<string>());
        Assert.Equal(0, await app.SendDueEmailsAsync());
        Assert.All(readers, r => Assert.Empty(MailSink.For(r)));
        await PostAsync(app, "/api/v1/broadcasts/held/resume");
        await app.RunDueAsync();
        Assert.All(readers, r => Assert.Single(MailSink.For(r)));
        Assert.Equal(HttpStatusCode.Conflict, (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/held", new { name = "Held", template = "dec-b", segment = tag })).StatusCode);

        var more = Enumerable.Range(0, 3).Select(i => NurtureApp.UniqueEmail($"cancel{i}")).ToList();
        var tag2 = tag + "x";
        (await app.Api().PutAsJsonAsync($"/api/v1/segments/{tag2}", new { name = "Other", filter = new { type = "has_tag", tag = tag2 } })).EnsureSuccessStatusCode();
        foreach (var r in more) await LeadAsync(app, r, tag2);
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/stopped", new { name = "Stopped", template = "dec-a", segment = tag2 })).EnsureSuccessStatusCode();
        await PostAsync(app, "/api/v1/broadcasts/stopped/send");
        await app.RunDueStepsAsync();
        var cancelled = await PostAsync(app, "/api/v1/broadcasts/stopped/cancel");
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(0, await app.SendDueEmailsAsync());
        Assert.All(more, r => Assert.Empty(MailSink.For(r)));
        Assert.Equal(3, (await GetAsync(app, "stopped"))["stats"]!["cancelled"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, (await app.Api().PostAsync("/api/v1/broadcasts/stopped/resume", null)).StatusCode);
    }

    /// <summary>
    /// A rendered batch goes straight to the drain's SMTP lanes (screened as it is rendered), and a pause takes back
    /// what the lanes already hold: it is not sent while paused, and once after the resume. A listing added after the
    /// start is screened at render time too, since the lanes do not screen handed-off email again.
    /// </summary>
    [Fact]
    public async Task PauseTakesBackWhatTheLanesHold_AndARenderedBatchIsScreenedAgainstTheSuppressionList()
    {
        var (app, _, tag) = await StartAsync();
        await using var _ = app;
        var readers = Enumerable.Range(0, 3).Select(i => NurtureApp.UniqueEmail($"lane{i}")).ToList();
        foreach (var r in readers) await LeadAsync(app, r, tag);
        var listed = NurtureApp.UniqueEmail("listedlate");
        await LeadAsync(app, listed, tag);
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/lanes", new { name = "Lanes", template = "dec-a", segment = tag })).EnsureSuccessStatusCode();
        await PostAsync(app, "/api/v1/broadcasts/lanes/send");
        (await app.Api().PostAsJsonAsync("/api/v1/suppressions", new { email = listed, reason = "asked by phone" })).EnsureSuccessStatusCode();

        var sender = app.Services.GetRequiredService<NurtureEngine.Mail.OutboxSender>();
        var handoff = sender.OpenHandoff(100)!;
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<NurtureEngine.Broadcasts.BroadcastRunner>().RunDueAsync(CancellationToken.None, handoff);
        Assert.True(handoff.HasRoomFor(100 - readers.Count) && !handoff.HasRoomFor(100 - readers.Count + 1)); // the three, not the listed one
        Assert.Equal("paused", (await PostAsync(app, "/api/v1/broadcasts/lanes/pause"))["status"]!.GetValue<string>());
        using (var finished = NurtureEngine.Common.WorkProgress.Finished())
            await sender.SendDueAsync(10, finished, DateTimeOffset.MaxValue, CancellationToken.None, handoff: handoff);
        Assert.All(readers, r => Assert.Empty(MailSink.For(r)));

        await PostAsync(app, "/api/v1/broadcasts/lanes/resume");
        await app.RunDueAsync();
        Assert.All(readers, r => Assert.Single(MailSink.For(r)));
        Assert.Empty(MailSink.For(listed));
        var stats = (await GetAsync(app, "lanes"))["stats"]!;
        Assert.Equal(3, stats["sent"]!.GetValue<int>());
        Assert.Equal(1, stats["suppressed"]!.GetValue<int>());
    }

    [Fact]
    public async Task BadDefinitions_AreRefusedNamingTheField_AndStoreNothing()
    {
        var (app, _, tag) = await StartAsync();
        await using var _ = app;
        async Task Refused(object body, string field)
        {
            var response = await app.Api().PutAsJsonAsync("/api/v1/broadcasts/bad", body);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
        }
        await Refused(new { name = "x", template = "nope", segment = tag }, "template");
        await Refused(new { name = "x", template = "dec-a" }, "segment");
        await Refused(new { name = "x", template = "dec-a", segment = "unknown" }, "segment");
        await Refused(new { name = "", template = "dec-a", segment = tag }, "name");
        await Refused(new { name = "x", template = "dec-a", segment = tag, abTest = new { variants = new[] { new { template = "dec-b" } }, samplePercent = 0, winnerBy = "clicks", decideAfter = "PT1H" } }, "abTest.samplePercent");
        await Refused(new { name = "x", template = "dec-a", segment = tag, abTest = new { variants = new[] { new { template = "dec-b" } }, samplePercent = 10, winnerBy = "likes", decideAfter = "PT1H" } }, "abTest.winnerBy");
        await Refused(new { name = "x", template = "dec-a", filter = new { type = "clicked", broadcast = "Not A Key" } }, "filter.broadcast");
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api().GetAsync("/api/v1/broadcasts/bad")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api().PostAsync("/api/v1/broadcasts/bad/send", null)).StatusCode);
        (await app.Api().PutAsJsonAsync("/api/v1/broadcasts/ok", new { name = "x", template = "dec-a", segment = tag })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Conflict, (await app.Api().PostAsync("/api/v1/broadcasts/ok/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await app.Api().PostAsJsonAsync("/api/v1/broadcasts/ok/schedule", new { sendAt = "tomorrow" })).StatusCode);
    }
}
