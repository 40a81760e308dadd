using Hangfire;

namespace NurtureEngine.Inbound;

/// <summary>
/// The recurring Hangfire job that reads the inbound mailbox every <c>Inbound:Imap:PollSeconds</c>.
/// A tick that finds the previous poll of this process still running skips (no queue of blocked
/// workers); polls of different processes may overlap harmlessly, since processing is exactly-once.
/// </summary>
public sealed class InboundPollJob(ImapInboxPoller poller)
{
    public const string Id = "inbound-mailbox";
    private static readonly SemaphoreSlim Running = new(1, 1);

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        if (!await Running.WaitAsync(0, ct)) return;
        try
        {
            // Drain a backlog batch after batch, then wait for the next tick.
            while (await poller.PollAsync(ct) > 0 && !ct.IsCancellationRequested) { }
        }
        finally { Running.Release(); }
    }

    /// <summary>Seconds-level cron (Hangfire reads six fields as seconds first) for polls under a minute.</summary>
    public static string Cron(int pollSeconds) => pollSeconds switch
    {
        < 60 => $"*/{pollSeconds} * * * * *",
        < 3600 => $"*/{Math.Max(1, pollSeconds / 60)} * * * *",
        _ => $"0 */{Math.Max(1, pollSeconds / 3600)} * * *",
    };
}
