using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Sequences;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary><c>reenroll</c> and the A/B split of <c>variants</c>: what the lead receives and what its timeline says.</summary>
[Collection(AppCollection.Name)]
public sealed class EnrollmentRuleTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartAsync();
        await _app.QuietDemoSequencesAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> PostEventAsync(string email, string type) =>
        (await (await _app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { email, type } } })).Content.ReadFromJsonAsync<JsonObject>())!;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ALeadThatFinished_EntersAgainOnTheNextTrigger_OnlyWithReenroll_AndTheTimelineSaysWhyNot(bool reenroll)
    {
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/trial-tips", JsonNode.Parse($$"""
            { "name": "Trial tips", "reenroll": {{(reenroll ? "true" : "false")}}, "trigger": { "type": "event", "event": "trial_started" },
              "steps": [ { "id": "tip", "type": "email", "template": "welcome" } ] }
            """))).EnsureSuccessStatusCode();
        var email = NurtureApp.UniqueEmail("again");
        await PostEventAsync(email, "trial_started");
        await MailSink.WaitForAsync(email);
        var id = _app.Db(db => db.Leads.Single(l => l.EmailNormalized == email).Id.ToString());
        await _app.WaitForKindAsync(id, "exited");

        await PostEventAsync(email, "trial_started");

        if (reenroll)
        {
            Assert.Equal(2, (await MailSink.WaitForAsync(email, 2)).Count);
            Assert.Equal(2, (await _app.KindsAsync(id)).Count(k => k == "enrolled"));
        }
        else
        {
            var kinds = await _app.WaitForKindAsync(id, "not_enrolled");
            Assert.Equal(1, kinds.Count(k => k == "enrolled"));
            var why = (await _app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "not_enrolled")!;
            Assert.Contains("event trial_started", why["summary"]!.GetValue<string>());
            Assert.Contains("reenroll is off", why["summary"]!.GetValue<string>());
            Assert.Single(MailSink.For(email));
        }
    }

    [Fact]
    public async Task AbVariants_SplitLeadsByWeight_EachLeadKeepsItsVariant_AndTheTimelineNamesIt()
    {
        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/ab", JsonNode.Parse("""
            { "name": "A/B", "reenroll": true, "trigger": { "type": "event", "event": "ab_entered" },
              "steps": [ { "id": "pitch", "type": "email", "variants": [ { "template": "welcome", "weight": 70 }, { "template": "follow-up", "weight": 30 } ] } ] }
            """))).EnsureSuccessStatusCode();
        const int leads = 200;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var emails = Enumerable.Range(0, leads).Select(i => $"ab{i}.{tag}@example.com").ToList();
        (await _app.Api().PostAsJsonAsync("/api/v1/events", new { events = emails.Select(e => new { email = e, type = "ab_entered" }) })).EnsureSuccessStatusCode();

        var first = await Eventually.GetAsync(() => Task.FromResult(VariantsByLead(tag)), v => v.Count == leads, 300, "every lead's A/B email queued");
        var welcome = first.Values.Count(t => t == "welcome");
        // 70/30 over 200 leads: expect 140; ±30 is more than four standard deviations (6.5).
        Assert.InRange(welcome, 110, 170);
        Assert.Contains(first.Values, t => t == "follow-up");

        // Enrolled again, the same leads get the same variant.
        var again = emails.Take(20).ToList();
        await Eventually.GetAsync(() => Task.FromResult(_app.Db(db => db.Enrollments.Count(e => e.Status == EnrollmentStatus.Active))), n => n == 0, 120, "first round done");
        (await _app.Api().PostAsJsonAsync("/api/v1/events", new { events = again.Select(e => new { email = e, type = "ab_entered" }) })).EnsureSuccessStatusCode();
        var second = await Eventually.GetAsync(() => Task.FromResult(_app.Db(db => db.Activities.Where(a => a.Kind == "email_scheduled")
                .Join(db.Leads, a => a.LeadId, l => l.Id, (a, l) => new { l.EmailNormalized, a.DataJson }).Where(x => x.EmailNormalized.Contains(tag)).ToList())),
            rows => rows.Count == leads + again.Count, 120, "second round queued");
        foreach (var email in again)
        {
            var templates = second.Where(r => r.EmailNormalized == email).Select(r => JsonNode.Parse(r.DataJson)!["variant"]!.GetValue<string>()).Distinct().ToList();
            Assert.Equal([first[email]], templates);
        }
        var lead = _app.Db(db => db.Leads.Single(l => l.EmailNormalized == emails[0]).Id.ToString());
        var scheduled = (await _app.TimelineAsync(lead)).First(e => e!["kind"]!.GetValue<string>() == "email_scheduled")!;
        Assert.Contains($"A/B variant {first[emails[0]]}", scheduled["summary"]!.GetValue<string>());
    }

    /// <summary>Lead email → the variant (template) of its first A/B email, from the timeline.</summary>
    private Dictionary<string, string> VariantsByLead(string tag) => _app.Db(db => db.Activities.Where(a => a.Kind == "email_scheduled")
            .Join(db.Leads, a => a.LeadId, l => l.Id, (a, l) => new { l.EmailNormalized, a.DataJson, a.Id }).Where(x => x.EmailNormalized.Contains(tag))
            .OrderBy(x => x.Id).ToList())
        .GroupBy(x => x.EmailNormalized).ToDictionary(g => g.Key, g => JsonNode.Parse(g.First().DataJson)!["variant"]!.GetValue<string>());
}
