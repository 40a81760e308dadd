using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sequences;

/// <summary>Triggers, steps and conditions through the real engine: what the lead receives and what its timeline says.</summary>
[Collection(AppCollection.Name)]
public sealed class SequenceEngineTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await NurtureApp.StartAsync();
        await _app.QuietDemoSequencesAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task PutAsync(string key, string trigger, string steps, string extra = "")
    {
        var response = await _app.Api().PutAsJsonAsync($"/api/v1/sequences/{key}",
            JsonNode.Parse($$"""{ "name": "{{key}}", "trigger": {{trigger}}, "steps": {{steps}} {{extra}} }"""));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonObject> LeadAsync(string id) => (await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;

    [Fact]
    public async Task AnEventTriggerWithAPropertyFilter_EnrollsOnlyMatchingEvents()
    {
        await PutAsync("pro-trial", """{ "type": "event", "event": "trial_started", "properties": { "plan": "pro" } }""",
            """[ { "id": "hello", "type": "email", "template": "welcome" } ]""");
        var pro = NurtureApp.UniqueEmail("pro");
        var basic = NurtureApp.UniqueEmail("basic");

        await _app.Api().PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[]
            {
                new { email = basic, type = "trial_started", properties = new { plan = "basic" } },
                new { email = pro, type = "trial_started", properties = new { plan = "pro" } },
            },
        });

        await MailSink.WaitForAsync(pro);
        var proId = _app.Db(db => db.Leads.Single(l => l.EmailNormalized == pro).Id.ToString());
        var enrolled = (await _app.TimelineAsync(proId)).First(e => e!["kind"]!.GetValue<string>() == "enrolled")!;
        Assert.Contains("event trial_started with plan = \"pro\"", enrolled["summary"]!.GetValue<string>());
        var basicId = _app.Db(db => db.Leads.Single(l => l.EmailNormalized == basic).Id.ToString());
        Assert.DoesNotContain("enrolled", await _app.KindsAsync(basicId));
        Assert.Empty(MailSink.For(basic));
    }

    [Fact]
    public async Task ScoreTagStageAndGotoSteps_ChangeTheLead_AndTheTimelineSaysWhy()
    {
        await PutAsync("shaper", """{ "type": "lead_created", "source": "webinar" }""", """
            [ { "id": "plus", "type": "score", "points": 7 },
              { "id": "mark", "type": "tag", "add": ["warm"] },
              { "id": "jump", "type": "goto", "to": "promote" },
              { "id": "never", "type": "score", "points": 1000 },
              { "id": "promote", "type": "stage", "stage": "sql" } ]
            """);
        var other = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("other"), source = "ads" });
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("webinar"), source = "webinar" });
        var id = lead["id"]!.GetValue<string>();

        var kinds = await _app.WaitForKindAsync(id, "exited");

        var now = await LeadAsync(id);
        Assert.Equal(7, now["score"]!.GetValue<int>());
        Assert.Equal("sql", now["stage"]!.GetValue<string>());
        Assert.Contains("warm", now["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        var stageChange = (await _app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "stage_changed")!;
        Assert.Equal("sequence", stageChange["data"]!["cause"]!.GetValue<string>());
        Assert.DoesNotContain("enrolled", await _app.KindsAsync(other["id"]!.GetValue<string>()));
        Assert.Contains("score_changed", kinds);
        var jump = (await _app.TimelineAsync(id)).Single(e => e!["kind"]!.GetValue<string>() == "goto")!;
        Assert.Equal("\"shaper\" step jump: going to promote", jump["summary"]!.GetValue<string>());
        var enrolled = (await _app.TimelineAsync(id)).Single(e => e!["kind"]!.GetValue<string>() == "enrolled")!;
        Assert.Contains("lead created from webinar", enrolled["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task AManualSequence_TakesLeadsByHandOrAWholeSegment_AndAnExitStepEndsItThere()
    {
        (await _app.Api().PutAsJsonAsync("/api/v1/segments/hand-picked", JsonNode.Parse("""
            { "name": "Hand-picked", "filter": { "type": "has_tag", "tag": "hand-picked" } }
            """))).EnsureSuccessStatusCode();
        await PutAsync("by-hand", """{ "type": "manual" }""", """
            [ { "id": "hello", "type": "email", "template": "welcome" },
              { "id": "done", "type": "exit" },
              { "id": "never", "type": "email", "template": "follow-up" } ]
            """);
        var picked = new List<(string Id, string Email)>();
        foreach (var name in new[] { "ann", "ben" })
        {
            var email = NurtureApp.UniqueEmail(name);
            picked.Add(((await _app.CreateLeadAsync(new { email, tags = new[] { "hand-picked" } }))["id"]!.GetValue<string>(), email));
        }
        var otherEmail = NurtureApp.UniqueEmail("cid");
        var other = (await _app.CreateLeadAsync(new { email = otherEmail }))["id"]!.GetValue<string>();
        Assert.DoesNotContain("enrolled", await _app.KindsAsync(other)); // manual: nothing enrolls by itself

        var bulk = await _app.Api().PostAsJsonAsync("/api/v1/segments/hand-picked/enroll", new { sequence = "by-hand" });
        Assert.Equal(2, (await bulk.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());
        var byHand = await _app.Api().PostAsJsonAsync("/api/v1/sequences/by-hand/enroll", new { leadId = other });
        Assert.True((await byHand.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<bool>());
        var again = await _app.Api().PostAsJsonAsync("/api/v1/sequences/by-hand/enroll", new { leadId = other });
        Assert.False((await again.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<bool>());

        foreach (var (id, email, how) in picked.Select(p => (p.Id, p.Email, "bulk enroll of segment hand-picked")).Append((other, otherEmail, "enrolled by hand")))
        {
            await _app.WaitForKindAsync(id, "exited");
            var timeline = await _app.TimelineAsync(id);
            Assert.Contains(how, timeline.Single(e => e!["kind"]!.GetValue<string>() == "enrolled")!["summary"]!.GetValue<string>());
            Assert.Contains("exit step done", timeline.Single(e => e!["kind"]!.GetValue<string>() == "exited")!["summary"]!.GetValue<string>());
            // The run that reached "done" would have queued "never" before ending had the exit not stopped it.
            Assert.Equal(["hello"], _app.Db(db => db.Messages.Where(m => m.LeadId == Guid.Parse(id)).Select(m => m.StepId!).ToList()));
            Assert.StartsWith("Welcome", (await MailSink.WaitForAsync(email)).Single().Message.Subject);
        }
        var stranger = await _app.Api().PostAsJsonAsync("/api/v1/segments/hand-picked/enroll", new { sequence = "no-such-sequence" });
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, stranger.StatusCode);
    }

    [Fact]
    public async Task ATagAddedThroughTheApi_TriggersItsSequence()
    {
        await PutAsync("vip-care", """{ "type": "tag_added", "tag": "vip" }""", """[ { "id": "hello", "type": "email", "template": "welcome" } ]""");
        var email = NurtureApp.UniqueEmail("vip");
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        Assert.DoesNotContain("enrolled", await _app.KindsAsync(id));

        await _app.CreateLeadAsync(new { email, tags = new[] { "vip" } });

        await MailSink.WaitForAsync(email);
        var enrolled = (await _app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "enrolled")!;
        Assert.Contains("tag vip added", enrolled["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task ExitWhen_EndsTheEnrollmentAsSoonAsTheEventArrives_NotAtTheNextStep()
    {
        await PutAsync("patient", """{ "type": "manual" }""", """
            [ { "id": "long-wait", "type": "wait", "duration": "P30D" }, { "id": "late", "type": "email", "template": "follow-up" } ]
            """, """, "exitWhen": [ { "type": "event", "event": "demo_booked" } ]""");
        var email = NurtureApp.UniqueEmail("booker");
        var id = (await _app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        (await _app.Api().PostAsJsonAsync("/api/v1/sequences/patient/enroll", new { leadId = id })).EnsureSuccessStatusCode();

        await _app.Api().PostAsJsonAsync("/api/v1/events", new { events = new[] { new { email, type = "demo_booked" } } });

        var exited = (await _app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "exited")!;
        Assert.Contains("event demo_booked", exited["summary"]!.GetValue<string>());
        Assert.Equal(0, _app.Db(db => db.Enrollments.Count(e => e.LeadId == Guid.Parse(id) && e.Status == NurtureEngine.Sequences.EnrollmentStatus.Active)));
    }

    [Fact]
    public async Task ALeadWhoseAttributeChanges_EntersTheSegment_IsEnrolledWithinSeconds_AndLeavingIsRecorded()
    {
        var put = await _app.Api().PutAsJsonAsync("/api/v1/segments/manufacturing-mql", JsonNode.Parse("""
            { "name": "Manufacturing", "filter": { "type": "all", "of": [ { "type": "in_stage", "stage": "lead" },
              { "type": "attribute", "key": "industry", "equals": "manufacturing" } ] } }
            """));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await PutAsync("industry-story", """{ "type": "segment_entered", "segment": "manufacturing-mql" }""",
            """[ { "id": "story", "type": "email", "template": "mql-nurture" } ]""");
        var email = NurtureApp.UniqueEmail("factory");
        var id = (await _app.CreateLeadAsync(new { email, firstName = "Fay", attributes = new { industry = "retail" } }))["id"]!.GetValue<string>();

        await _app.CreateLeadAsync(new { email, attributes = new { industry = "manufacturing" } });

        var mail = (await MailSink.WaitForAsync(email)).Single();
        Assert.Contains("a guide picked for", mail.Message.Subject);
        var members = await _app.Api().GetFromJsonAsync<JsonObject>("/api/v1/segments/manufacturing-mql/leads");
        Assert.Equal(id, members!["items"]!.AsArray().Single()!["id"]!.GetValue<string>());

        await _app.CreateLeadAsync(new { email, attributes = new { industry = "retail" } });

        var kinds = await _app.KindsAsync(id);
        Assert.Contains("segment_entered", kinds);
        Assert.Contains("segment_left", kinds);
        Assert.Empty((await _app.Api().GetFromJsonAsync<JsonObject>("/api/v1/segments/manufacturing-mql/leads"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task NotifyOwner_EmailsTheOwner_AndALeadWithoutOwnerIsSkippedWithAReason()
    {
        await PutAsync("alert", """{ "type": "manual" }""", """[ { "id": "tell", "type": "notify_owner", "template": "owner-alert" } ]""");
        var owned = (await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("owned"), firstName = "Olga", owner = "owner.one@ourcompany.test" }))["id"]!.GetValue<string>();
        var orphan = (await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("orphan") }))["id"]!.GetValue<string>();

        foreach (var id in new[] { owned, orphan })
            (await _app.Api().PostAsJsonAsync("/api/v1/sequences/alert/enroll", new { leadId = id })).EnsureSuccessStatusCode();

        var alert = (await MailSink.WaitForAsync("owner.one@ourcompany.test")).Last().Message;
        Assert.Contains("Olga", alert.Subject);
        Assert.Null(alert.Headers["List-Unsubscribe"]);
        var kinds = await _app.WaitForKindAsync(orphan, "step_skipped");
        Assert.Contains("step_skipped", kinds);
    }
}
