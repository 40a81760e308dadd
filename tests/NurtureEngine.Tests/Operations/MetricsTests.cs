using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Operations;

/// <summary>What an operator scrapes at /metrics after real sends through the real SMTP sink.</summary>
[Collection(AppCollection.Name)]
public sealed partial class MetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Metrics_CountRealSends_Failures_Events_AndExposeLagClaimsSmtpAndQueues()
    {
        var sent = new[] { NurtureApp.UniqueEmail("m1"), NurtureApp.UniqueEmail("m2") };
        foreach (var email in sent) await _app.CreateLeadAsync(new { email, firstName = "Metric" });
        var rejected = $"nobody.{Guid.NewGuid():N}@reject.test";
        var rejectedLead = await _app.CreateLeadAsync(new { email = rejected });
        foreach (var email in sent) await MailSink.WaitForAsync(email);
        await _app.WaitForKindAsync(rejectedLead["id"]!.GetValue<string>(), "email_failed");
        var events = await _app.Api().PostAsJsonAsync("/api/v1/events", new
        {
            events = new object[] { new { email = sent[0], type = "pricing_viewed" }, new { email = "not an email", type = "x" } },
        });
        Assert.Equal(HttpStatusCode.Accepted, events.StatusCode);

        var text = await Eventually.GetAsync(ScrapeAsync, t => Value(t, "nurture_emails_total", "outcome=\"sent\"") >= 2
            && Value(t, "nurture_emails_total", "outcome=\"failed\"") >= 1, what: "/metrics counts the sends");

        Assert.Equal(2, Value(text, "nurture_emails_total", "outcome=\"sent\"", "kind=\"marketing\""));
        Assert.Equal(1, Value(text, "nurture_emails_total", "outcome=\"failed\""));
        Assert.Equal(1, Value(text, "nurture_events_ingested_total", "result=\"accepted\""));
        Assert.Equal(1, Value(text, "nurture_events_ingested_total", "result=\"rejected\""));
        Assert.True(Value(text, "nurture_smtp_duration_seconds_count", "outcome=\"sent\"") >= 2);
        Assert.True(Value(text, "nurture_claim_batch_size_count", "work=\"messages\"") >= 1);
        Assert.True(Value(text, "nurture_claim_batch_size_count", "work=\"enrollments\"") >= 1);
        Assert.Equal(0, Value(text, "nurture_due_work_lag_seconds", "work=\"messages\""));
        Assert.NotNull(Value(text, "nurture_due_work_lag_seconds", "work=\"enrollments\""));
        Assert.NotNull(Value(text, "nurture_hangfire_queue_length", "queue=\"default\""));
        Assert.NotNull(Value(text, "nurture_hangfire_jobs", "state=\"scheduled\""));
        Assert.Contains("# TYPE nurture_smtp_duration_seconds histogram", text);
        Assert.DoesNotContain(sent[0], text); // no personal data in labels
    }

    [Fact]
    public async Task DueWorkLag_RisesWhenAMessageIsOverdue()
    {
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("lag") });
        await _app.WaitForKindAsync(lead["id"]!.GetValue<string>(), "email_sent");
        // An overdue message that no worker can take (leased far into the future by a "stuck" worker).
        _app.Db(db => db.Database.ExecuteSqlRaw("""
            UPDATE nurture.message SET status = 'Scheduled', not_before = now() - interval '10 minutes',
                   lease_owner = 'stuck', lease_until = now() + interval '1 hour'
            """));

        var text = await Eventually.GetAsync(ScrapeAsync, t => Value(t, "nurture_due_work_lag_seconds", "work=\"messages\"") >= 600,
            what: "lag of the overdue message");

        Assert.InRange(Value(text, "nurture_due_work_lag_seconds", "work=\"messages\"")!.Value, 600, 900);
    }

    [Fact]
    public async Task TheExposition_PassesPromtool()
    {
        await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("lint") });
        var text = await Eventually.GetAsync(ScrapeAsync, t => Value(t, "nurture_emails_total", "outcome=\"sent\"") >= 1, what: "a send is counted");
        var promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        if (promtool is null)
        {
            output.WriteLine("SKIPPED: promtool is not installed (./test.sh installs the prometheus package for it)");
            return;
        }

        using var process = Process.Start(new ProcessStartInfo(promtool, "check metrics")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"promtool check metrics failed:\n{await stdout}\n{await stderr}");
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await _app.Anonymous().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a sample's values over the series whose labels include every one given; null when there is none.</summary>
    private static double? Value(string exposition, string name, params string[] labels)
    {
        double? sum = null;
        foreach (Match m in Sample().Matches(exposition))
        {
            if (m.Groups["name"].Value != name) continue;
            var set = m.Groups["labels"].Value;
            if (labels.All(set.Contains)) sum = (sum ?? 0) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
