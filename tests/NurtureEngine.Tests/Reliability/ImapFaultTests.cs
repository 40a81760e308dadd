using System.Net;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Tests.Inbound;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Reliability;

/// <summary>
/// The IMAP server going down and coming back, seen from the app: a <see cref="TcpFaultProxy"/> sits
/// between the app and the shared Dovecot (which other tests keep using), the test delivers replies
/// straight into Dovecot, as a mail server would, whether or not the app can reach it.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ImapFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Before = 3, MidPoll = 3, WhileDown = 3, All = Before + MidPoll + WhileDown;
    private NurtureApp _app = null!;
    private TestMailbox _box = null!;
    private TcpFaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _box = await TestMailbox.CreateAsync();
        _proxy = new TcpFaultProxy(TestEnvironment.ImapHost, TestEnvironment.ImapPort);
        _app = await NurtureApp.StartAsync(_box.Settings(new Dictionary<string, string?>
        {
            ["Inbound:Imap:Host"] = "127.0.0.1",
            ["Inbound:Imap:Port"] = _proxy.Port.ToString(),
        }));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    /// <summary>A reply from the lead (tied by its From address), with a Message-ID of its own.</summary>
    private static string Reply(string email, string messageId) =>
        Regex.Replace(InboundSamples.Text("human-reply.eml", email, "unknown-original@elsewhere.example"),
            @"^Message-ID: <[^>]+>", $"Message-ID: <{messageId}>", RegexOptions.Multiline);

    private int InboundRows() => _app.Db(db => db.InboundMessages.Count());

    private long FailedHangfireJobs() => _app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().FailedCount();

    /// <summary><c>nurture_inbound_polls_total</c> for an outcome, as an operator scrapes it at /metrics.</summary>
    private async Task<double> PollsAsync(string outcome)
    {
        var text = await _app.Anonymous().GetStringAsync("/metrics");
        return Regex.Matches(text, $@"^nurture_inbound_polls_total\{{[^}}]*outcome=""{outcome}""[^}}]*\}} (\S+)", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WhileTheImapServerIsDown_EvenMidPoll_InboundMailWaits_AndWhenItIsBack_EachMessageIsProcessedOnce()
    {
        var leads = new List<(string Id, string Email, string MessageId)>();
        for (var i = 0; i < All; i++)
        {
            var email = NurtureApp.UniqueEmail($"imapfault{i}");
            var id = (await _app.CreateLeadAsync(new { email, firstName = "Ada" }))["id"]!.GetValue<string>();
            leads.Add((id, email, $"imap-fault-{i}-{Guid.NewGuid():N}@mail.example"));
        }
        async Task DeliverAsync(int from, int count)
        {
            for (var i = from; i < from + count; i++) await _box.AppendAsync(Reply(leads[i].Email, leads[i].MessageId));
        }

        // 1. Up: the first replies are processed through the proxy.
        await DeliverAsync(0, Before);
        await Eventually.GetAsync(_box.CountAsync, c => c.Processed == Before, 60, "first replies marked processed");
        Assert.Equal(Before, InboundRows());

        // 2. Down in the middle of a poll: the poller has processed a message (committed) and is
        //    marking it in the mailbox when the connection is cut; new connections are refused.
        var failedBefore = await PollsAsync("failed");
        var failedJobsBefore = FailedHangfireJobs();
        var cut = _proxy.TakeDownWhenClientSends("+FLAGS");
        await DeliverAsync(Before, MidPoll);
        await cut.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(_proxy.IsUp);
        var mailbox = await _box.CountAsync();
        Assert.Equal(Before, mailbox.Processed);          // the cut message was not marked...
        Assert.Equal(Before + 1, InboundRows());          // ...but its effects were committed

        // 3. While down: more mail arrives; the app stays healthy and records the failed polls.
        await DeliverAsync(Before + MidPoll, WhileDown);
        var failed = await Eventually.GetAsync(() => PollsAsync("failed"), n => n >= failedBefore + 3, 90, "failed polls counted while IMAP is down");
        Assert.Equal(HttpStatusCode.OK, (await _app.Anonymous().GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Api().GetAsync($"/api/v1/leads/{leads[0].Id}")).StatusCode);
        Assert.Equal(Before + 1, InboundRows());
        Assert.Equal(All, (await _box.CountAsync()).Total);

        // 4. Back: the poller resumes on its own (nothing in the test polls for it).
        var connectionsBefore = _proxy.Connections;
        _proxy.BringBack();
        await Eventually.GetAsync(_box.CountAsync, c => c.Processed == All, 120, "every reply marked processed after the outage");
        Assert.True(_proxy.Connections > connectionsBefore);
        Assert.True(await PollsAsync("ok") > 0);
        // The failures were handled (warning, backoff), not thrown: no pile of failed Hangfire jobs.
        Assert.Equal(failedJobsBefore, FailedHangfireJobs());
        output.WriteLine($"ImapFault: {All} delivered, {failed - failedBefore} failed polls while down, proxy connections {connectionsBefore} -> {_proxy.Connections}");

        // Exactly once: one inbound record per Message-ID, one email_replied per lead, none missing.
        var keys = _app.Db(db => db.InboundMessages.Select(m => m.Key).ToList());
        var perMessageId = keys.GroupBy(k => k[..k.IndexOf('|')]).ToDictionary(g => g.Key, g => g.Count());
        var replied = new Dictionary<string, int>();
        foreach (var (id, _, messageId) in leads)
            replied[messageId] = (await _app.KindsAsync(id)).Count(k => k == "email_replied");
        var records = leads.Select(l => perMessageId.GetValueOrDefault(l.MessageId)).ToList();
        output.WriteLine($"ImapFault: inbound records {keys.Count} for {All} messages, missing {records.Count(n => n == 0)}, twice or more {records.Count(n => n > 1)}; " +
            $"email_replied rows {replied.Values.Sum()}, leads without {replied.Values.Count(n => n == 0)}, with more than one {replied.Values.Count(n => n > 1)}");
        Assert.All(leads, l => Assert.True(perMessageId.GetValueOrDefault(l.MessageId) == 1,
            $"{l.MessageId}: {perMessageId.GetValueOrDefault(l.MessageId)} inbound records, expected exactly 1"));
        Assert.All(leads, l => Assert.True(replied[l.MessageId] == 1, $"{l.MessageId}: {replied[l.MessageId]} email_replied rows, expected exactly 1"));
        Assert.Equal(All, keys.Count);
    }
}
