using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Forms;

/// <summary>Double opt-in: pending until the link is opened, nothing but the confirmation email meanwhile, then what was held and the form's sequence.</summary>
[Collection(AppCollection.Name)]
public sealed class DoubleOptInTests
{
    [Fact]
    public async Task APendingLead_GetsOnlyTheConfirmationEmail_TheLinkSubscribesIt_ThenTheHeldWelcomeAndTheFormsSequenceGoOut_AndAReplayDoesNoHarm()
    {
        await using var app = await NurtureApp.StartAsync(FormTestKit.NoFillTime);
        // The demo's welcome sequence (stage_entered lead) stays on: a pending lead must not get its email until it confirms.
        await FormTestKit.PutFormAsync(app, "ebook", FormTestKit.Ebook(doubleOptIn: true, redirectUrl: "https://www.example.com/thanks"));
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/ebook-follow-up", JsonNode.Parse("""
            { "name": "E-book follow-up", "trigger": { "type": "form_submitted", "form": "ebook" },
              "steps": [ { "id": "hello", "type": "email", "template": "follow-up" } ] }
            """))).EnsureSuccessStatusCode();
        var noForm = await app.Api().PutAsJsonAsync("/api/v1/sequences/bad", JsonNode.Parse("""
            { "name": "x", "trigger": { "type": "form_submitted" }, "steps": [ { "id": "e", "type": "exit" } ] }
            """));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noForm.StatusCode);

        var email = NurtureApp.UniqueEmail("doi");
        var page = await FormTestKit.PostAsBrowserAsync(app.Anonymous(), "ebook", ("email", email), ("firstName", "Grace"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("check your inbox", html);
        Assert.DoesNotContain("ebook.pdf", html); // the asset only once confirmed
        var id = await FormTestKit.LeadIdAsync(app, email);
        Assert.Equal("pending", (await FormTestKit.LeadAsync(app, id))["status"]!.GetValue<string>());

        var confirmation = (await MailSink.WaitForAsync(email)).Single().Message;
        Assert.Contains("confirm", confirmation.Subject, StringComparison.OrdinalIgnoreCase);
        await app.WaitForKindAsync(id, "email_delayed"); // the welcome sequence's email, held for the confirmation
        var held = (await app.TimelineAsync(id)).Single(a => a!["kind"]!.GetValue<string>() == "email_delayed")!;
        Assert.Equal("awaiting confirmation", held["data"]!["reason"]!.GetValue<string>());
        Assert.DoesNotContain("email_suppressed", await app.KindsAsync(id));
        Assert.Equal(0, app.Db(db => db.Enrollments.Count(e => e.LeadId == Guid.Parse(id) && db.Sequences.Any(s => s.Id == e.SequenceId && s.Key == "ebook-follow-up"))));
        Assert.Single(MailSink.For(email));

        var path = FormTestKit.ConfirmPath(confirmation);
        // Confirmed: the gated download at last, with the way on to the form's redirect.
        var confirmed = await app.Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var download = await confirmed.Content.ReadAsStringAsync();
        Assert.Contains("confirmed", download);
        Assert.Contains("href=\"https://cdn.example.com/ebook.pdf\"", download);
        Assert.Contains("href=\"https://www.example.com/thanks\"", download);
        Assert.Equal("subscribed", (await FormTestKit.LeadAsync(app, id))["status"]!.GetValue<string>());
        // The held welcome email, and the form's sequence, started by the confirmation: each once.
        var delivered = await MailSink.WaitForAsync(email, count: 3);
        Assert.Equal(3, delivered.Select(m => m.Message.Subject).Distinct().Count());
        var after = await app.KindsAsync(id);
        Assert.Equal(1, after.Count(k => k == "consent_confirmed"));
        Assert.True(after.IndexOf("consent_confirmed") < after.LastIndexOf("enrolled"));

        var replay = await app.Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("href=\"https://cdn.example.com/ebook.pdf\"", await replay.Content.ReadAsStringAsync());
        Assert.Equal(1, (await app.KindsAsync(id)).Count(k => k == "consent_confirmed"));
        var tampered = path[..^2] + (path[^2] == 'A' ? "BB" : "AA");
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync(tampered)).StatusCode);
        var export = (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}/export"))!;
        Assert.NotNull(export["consents"]![0]!["confirmedAt"]);

        // Already subscribed: not asked again; the sequence does not re-enroll (reenroll off) but the submission is on the timeline.
        await FormTestKit.PostAsBrowserAsync(app.Anonymous(), "ebook", ("email", email));
        Assert.Equal(2, (await app.KindsAsync(id)).Count(k => k == "form_submitted"));
        Assert.Equal("subscribed", (await FormTestKit.LeadAsync(app, id))["status"]!.GetValue<string>());
        Assert.Equal(1, app.Db(db => db.Set<NurtureEngine.Forms.FormSubmission>().Count(s => s.LeadId == Guid.Parse(id) && s.ConfirmationRequired)));

        var report = (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/forms/ebook/report"))!;
        Assert.Equal(2, report["submissions"]!.GetValue<int>());
        Assert.Equal(1, report["confirmationsRequested"]!.GetValue<int>());
        Assert.Equal(1.0, report["confirmationRate"]!.GetValue<double>());
        Assert.True(report["views"]!.GetValue<int>() >= 2);
    }

    [Fact]
    public async Task SomeoneResubmittingAnAddress_SendsItAtMostThreeConfirmationsADay_AndAnyOfItsLinksConfirmsOnce()
    {
        await using var app = await NurtureApp.StartAsync(FormTestKit.NoFillTime);
        await app.QuietDemoSequencesAsync();
        (await app.Api().PutAsJsonAsync("/api/v1/scoring", JsonNode.Parse("""
            { "rules": [ { "event": "form_submitted", "points": 5 } ], "thresholds": [] }
            """))).EnsureSuccessStatusCode();
        await FormTestKit.PutFormAsync(app, "ebook", FormTestKit.Ebook(doubleOptIn: true));
        var email = NurtureApp.UniqueEmail("flooded");
        for (var i = 0; i < 6; i++)
        {
            var sent = await app.Anonymous().PostAsJsonAsync("/f/ebook", new { email });
            Assert.Equal("confirmation_required", (await sent.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.GetValue<string>());
        }
        var id = await FormTestKit.LeadIdAsync(app, email);
        // Queued in each submission's transaction: the count is final when the answers are in.
        Assert.Equal(3, app.Db(db => db.Messages.Count(m => m.LeadId == Guid.Parse(id))));
        Assert.Equal(6, app.Db(db => db.Set<NurtureEngine.Forms.FormSubmission>().Count(s => s.LeadId == Guid.Parse(id))));
        var links = (await MailSink.WaitForAsync(email, count: 3)).Select(m => FormTestKit.ConfirmPath(m.Message)).ToList();

        // The person opens the last email, then an older one: confirmed once, scored once, every submission confirmed.
        foreach (var link in links.AsEnumerable().Reverse())
            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync(link)).StatusCode);
        Assert.Equal(1, (await app.KindsAsync(id)).Count(k => k == "consent_confirmed"));
        var lead = await FormTestKit.LeadAsync(app, id);
        Assert.Equal("subscribed", lead["status"]!.GetValue<string>());
        Assert.Equal(5, lead["score"]!.GetValue<int>());
        var export = (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}/export"))!;
        Assert.All(export["consents"]!.AsArray(), c => Assert.NotNull(c!["confirmedAt"]));
    }

    [Fact]
    public async Task APendingLeadsStageEmail_WaitsForTheConfirmation_GoesOutWhenItComes_AndIsDroppedWhenTheLinkRunsOut()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        await FormTestKit.PutFormAsync(app, "ebook", FormTestKit.Ebook(doubleOptIn: true));
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/new-lead-hello", JsonNode.Parse("""
            { "name": "New lead hello", "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "steps": [ { "id": "hello", "type": "email", "template": "welcome" } ] }
            """))).EnsureSuccessStatusCode();
        var (confirms, forgets) = (NurtureApp.UniqueEmail("confirms"), NurtureApp.UniqueEmail("forgets"));
        foreach (var email in new[] { confirms, forgets })
        {
            var stamp = await FormTestKit.StampAsync(app.Anonymous(), "ebook");
            clock.Advance(TimeSpan.FromSeconds(10));
            (await app.Anonymous().PostAsJsonAsync("/f/ebook", new { email, firstName = "Ada", _ts = stamp })).EnsureSuccessStatusCode();
        }
        await app.RunDueAsync();
        var (confirmsId, forgetsId) = (await FormTestKit.LeadIdAsync(app, confirms), await FormTestKit.LeadIdAsync(app, forgets));
        foreach (var id in new[] { confirmsId, forgetsId })
        {
            Assert.Contains("email_delayed", await app.KindsAsync(id));
            Assert.DoesNotContain("email_suppressed", await app.KindsAsync(id));
        }
        var link = FormTestKit.ConfirmPath((await MailSink.WaitForAsync(confirms)).Single().Message);
        await MailSink.WaitForAsync(forgets);

        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync(link)).StatusCode);
        await app.RunDueAsync();
        var welcome = (await MailSink.WaitForAsync(confirms, count: 2)).Last().Message;
        Assert.StartsWith("Welcome, Ada", welcome.Subject);
        Assert.Contains("email_sent", await app.KindsAsync(confirmsId));

        // The other never confirms: once its link has run out, the held email is dropped, saying why; nothing is sent.
        clock.Advance(TimeSpan.FromDays(6));
        await app.RunDueAsync();
        var dropped = (await app.TimelineAsync(forgetsId)).Single(a => a!["kind"]!.GetValue<string>() == "email_suppressed")!;
        Assert.Contains("pending", dropped["data"]!["reason"]!.GetValue<string>());
        Assert.Single(MailSink.For(forgets));
        Assert.Equal(2, MailSink.For(confirms).Count);
    }

    [Fact]
    public async Task AnExpiredLink_ConfirmsNothing_AndAnUnsubscribedLeadMustConfirmAgain()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await NurtureApp.StartDrivenAsync(clock);
        var definition = FormTestKit.Ebook(doubleOptIn: true);
        await FormTestKit.PutFormAsync(app, "ebook", definition);
        var email = NurtureApp.UniqueEmail("left");
        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        app.Db(db => db.Database.ExecuteSql($"UPDATE nurture.lead SET status = 'Unsubscribed' WHERE id = {Guid.Parse(id)}"));

        var stamp = await FormTestKit.StampAsync(app.Anonymous(), "ebook");
        clock.Advance(TimeSpan.FromSeconds(10));
        var json = await app.Anonymous().PostAsJsonAsync("/f/ebook", new { email, _ts = stamp });
        Assert.Equal("confirmation_required", (await json.Content.ReadFromJsonAsync<JsonObject>())!["result"]!.GetValue<string>());
        Assert.Equal("pending", (await FormTestKit.LeadAsync(app, id))["status"]!.GetValue<string>());
        await app.SendDueEmailsAsync();
        var path = FormTestKit.ConfirmPath((await MailSink.WaitForAsync(email)).Single().Message);

        clock.Advance(TimeSpan.FromDays(8));
        var expired = await app.Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Equal("pending", (await FormTestKit.LeadAsync(app, id))["status"]!.GetValue<string>());
        Assert.DoesNotContain("consent_confirmed", await app.KindsAsync(id));
    }
}
