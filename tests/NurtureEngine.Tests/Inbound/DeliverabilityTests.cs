using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Scoring;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Inbound;

/// <summary>DKIM, SMTP rejections as bounces, the suppression list, machine opens and score decay, on the real app.</summary>
[Collection(AppCollection.Name)]
public sealed partial class DeliverabilityTests
{
    [GeneratedRegex("<img src=\"(http://localhost/t/o/[^\"]+)\"")] private static partial Regex Pixel();

    private static async Task<JsonObject> LeadAsync(NurtureApp app, string id) => (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;

    [Fact]
    public async Task DkimSignature_VerifiesWithAnIndependentVerifier_AndFailsAfterTamperingWithASignedHeader()
    {
        using var rsa = RSA.Create(2048);
        var publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?>
        {
            ["Nurture:Dkim:Selector"] = "s2026",
            ["Nurture:Dkim:Domain"] = "nurture.example",
            ["Nurture:Dkim:PrivateKeyPem"] = rsa.ExportPkcs8PrivateKeyPem(),
        });
        var email = NurtureApp.UniqueEmail("dkim");
        await app.CreateLeadAsync(new { email, firstName = "Ada" });
        var received = (await MailSink.WaitForAsync(email)).Single();
        var raw = await File.ReadAllBytesAsync(received.Path);

        var signature = received.Message.Headers["DKIM-Signature"]!;
        Assert.Contains("d=nurture.example", signature);
        Assert.Contains("s=s2026", signature);
        foreach (var header in new[] { "from", "subject", "date", "to", "message-id", "list-unsubscribe", "list-unsubscribe-post" })
            Assert.Matches($@"h=[^;]*\b{header}\b", Regex.Replace(signature.ToLowerInvariant(), @"\s", ""));
        Assert.Equal("pass", await VerifyDkimAsync(raw, publicKey));

        var text = Encoding.ASCII.GetString(raw);
        var subject = Regex.Match(text, @"^Subject: .*$", RegexOptions.Multiline).Value;
        var tampered = text.Replace(subject, subject.Replace("Ada", "Eve"));
        Assert.NotEqual(text, tampered);
        Assert.Equal("fail", await VerifyDkimAsync(Encoding.ASCII.GetBytes(tampered), publicKey));
        var unsubscribe = Regex.Match(text, @"^List-Unsubscribe-Post: .*$", RegexOptions.Multiline).Value;
        Assert.Equal("fail", await VerifyDkimAsync(Encoding.ASCII.GetBytes(text.Replace(unsubscribe, "List-Unsubscribe-Post: nothing")), publicKey));
    }

    /// <summary>Debian's python3-dkim, told the public key instead of asking DNS.</summary>
    private static async Task<string> VerifyDkimAsync(byte[] raw, string publicKey)
    {
        var path = Path.Combine(Path.GetTempPath(), $"dkim-{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, raw);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList =
                {
                    "-c",
                    "import sys, dkim\nraw = open(sys.argv[1], 'rb').read()\nkey = sys.argv[2].encode()\n" +
                    "print('pass' if dkim.verify(raw, dnsfunc=lambda name, timeout=5: b'v=DKIM1; k=rsa; p=' + key) else 'fail')",
                    path, publicKey,
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, error);
            return output.Trim();
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task A5xxAtSendTime_IsClassifiedLikeAnyBounce_HardForABadAddress_SoftForASpamBlock()
    {
        await using var app = await NurtureApp.StartAsync();
        var bad = (await app.CreateLeadAsync(new { email = $"nobody.{Guid.NewGuid():N}@reject.test" }))["id"]!.GetValue<string>();
        var blocked = (await app.CreateLeadAsync(new { email = $"someone.{Guid.NewGuid():N}@spam.test" }))["id"]!.GetValue<string>();

        await app.WaitForKindAsync(bad, "email_bounced");
        await app.WaitForKindAsync(blocked, "email_bounced");

        var hard = (await app.TimelineAsync(bad)).First(e => e!["kind"]!.GetValue<string>() == "email_bounced")!["data"]!;
        Assert.Equal("hard", hard["type"]!.GetValue<string>());
        Assert.Equal("5.1.1", hard["status"]!.GetValue<string>());
        Assert.Equal("bounced", (await LeadAsync(app, bad))["status"]!.GetValue<string>());
        var soft = (await app.TimelineAsync(blocked)).First(e => e!["kind"]!.GetValue<string>() == "email_bounced")!["data"]!;
        Assert.Equal("soft", soft["type"]!.GetValue<string>());
        Assert.Equal("5.7.1", soft["status"]!.GetValue<string>());
        Assert.Equal("subscribed", (await LeadAsync(app, blocked))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAddressOnTheSuppressionList_IsNeverMailed_AndEverySkippedSendSaysWhy()
    {
        await using var app = await NurtureApp.StartAsync();
        var email = NurtureApp.UniqueEmail("suppressed");

        var added = await app.Api().PostAsJsonAsync("/api/v1/suppressions", new { email, reason = "asked us by phone" });
        var again = await app.Api().PostAsJsonAsync("/api/v1/suppressions", new { email });
        var invalid = await app.Api().PostAsJsonAsync("/api/v1/suppressions", new { email = "not an address" });

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("email", (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        await app.WaitForKindAsync(id, "email_suppressed");
        var entry = (await app.TimelineAsync(id)).First(e => e!["kind"]!.GetValue<string>() == "email_suppressed")!;
        Assert.Contains("suppression list", entry["data"]!["reason"]!.GetValue<string>());
        Assert.Contains("asked us by phone", entry["data"]!["reason"]!.GetValue<string>());
        Assert.Empty(MailSink.For(email));

        var listed = await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/suppressions?email={Uri.EscapeDataString(email)}");
        var hash = listed!["items"]!.AsArray().Single()!["addressHash"]!.GetValue<string>();
        Assert.Equal(64, hash.Length);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Api().DeleteAsync($"/api/v1/suppressions/{hash}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api().DeleteAsync($"/api/v1/suppressions/{Uri.EscapeDataString(email)}")).StatusCode);
    }

    [Fact]
    public async Task ErasingALead_RemovesItsData_ButTheAddressStaysSuppressed()
    {
        await using var app = await NurtureApp.StartAsync();
        var email = NurtureApp.UniqueEmail("erased");
        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        await MailSink.WaitForAsync(email);

        Assert.Equal(HttpStatusCode.NoContent, (await app.Api().DeleteAsync($"/api/v1/leads/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api().GetAsync($"/api/v1/leads/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api().DeleteAsync($"/api/v1/leads/{id}")).StatusCode);
        Assert.Equal(0, app.Db(db => db.Messages.Count(m => m.ToAddress == email)));
        var listed = await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/suppressions?email={Uri.EscapeDataString(email)}");
        Assert.Equal("erasure", listed!["items"]!.AsArray().Single()!["source"]!.GetValue<string>());

        // The same person signs up again: a new lead, never mailed.
        var again = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        await app.WaitForKindAsync(again, "email_suppressed");
        Assert.Single(MailSink.For(email));
    }

    [Fact]
    public async Task MachineOpens_AreFlaggedOnTheTimeline_AndScoreNothing_WhileAPersonsOpenScores()
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Opens:MachineOpenSeconds"] = "0" });
        var email = NurtureApp.UniqueEmail("opener");
        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        var pixel = Pixel().Match((await MailSink.WaitForAsync(email)).Single().Message.HtmlBody!).Groups[1].Value;

        async Task OpenAsync(string agent)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, pixel);
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().SendAsync(request)).StatusCode);
        }
        await OpenAsync("Mozilla/5.0"); // Apple Mail Privacy Protection's prefetch
        await OpenAsync("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)");

        var kinds = await app.KindsAsync(id);
        Assert.Single(kinds, k => k == "machine_opened");
        Assert.DoesNotContain("email_opened", kinds);
        Assert.Equal(0, (await LeadAsync(app, id))["score"]!.GetValue<int>());

        await OpenAsync("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0");
        Assert.Contains("email_opened", await app.KindsAsync(id));
        Assert.Equal(1, (await LeadAsync(app, id))["score"]!.GetValue<int>());
    }

    [Fact]
    public async Task ScoreDecays_OncePerPeriod_OnAFakeClock_AndTheLedgerAlwaysSumsToTheScore()
    {
        await using var app = await NurtureApp.StartAsync();
        var email = NurtureApp.UniqueEmail("decay");
        var id = (await app.CreateLeadAsync(new { email }))["id"]!.GetValue<string>();
        // Let the welcome sequence settle: decay skips (SKIP LOCKED) a lead that a worker holds right now.
        await app.WaitForKindAsync(id, "email_sent");
        var events = await app.Api().PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[] { new { email, type = "pricing_viewed" }, new { email, type = "pricing_viewed" } },
        });
        events.EnsureSuccessStatusCode();
        Assert.Equal(20, (await LeadAsync(app, id))["score"]!.GetValue<int>());

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(31)); // demo decay: 25% every P30D
        async Task<int> DecayAsync()
        {
            using var scope = app.Services.CreateScope();
            return await ActivatorUtilities.CreateInstance<ScoreDecayJob>(scope.ServiceProvider, clock).RunAsync(CancellationToken.None);
        }

        // Decay skips a lead another transaction holds (SKIP LOCKED) and takes it on the next run:
        // wait for the welcome to be out, and run again while the sequence still holds the lead.
        await app.WaitForKindAsync(id, "email_sent");
        await Eventually.GetAsync(DecayAsync, n => n == 1, 20, "the first period's decay");
        Assert.Equal(15, (await LeadAsync(app, id))["score"]!.GetValue<int>());
        Assert.Equal(0, await DecayAsync()); // the same period never decays twice
        Assert.Equal(15, (await LeadAsync(app, id))["score"]!.GetValue<int>());
        clock.Advance(TimeSpan.FromDays(30));
        await Eventually.GetAsync(DecayAsync, n => n == 1, 20, "the second period's decay");
        Assert.Equal(11, (await LeadAsync(app, id))["score"]!.GetValue<int>());

        var ledger = (await app.TimelineAsync(id)).Where(e => e!["kind"]!.GetValue<string>() == "score_changed").ToList();
        Assert.Equal(4, ledger.Count);
        Assert.Equal(11, ledger.Sum(e => e!["data"]!["points"]!.GetValue<int>()));
        Assert.Contains(ledger, e => e!["data"]!["rule"]!.GetValue<string>().StartsWith("decay 25%"));
    }
}
