using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using NurtureEngine.Telemetry;

namespace NurtureEngine.Inbound;

/// <summary>
/// Reads the inbound mailbox over IMAP: every message not yet marked with <see cref="ProcessedKeyword"/>
/// is processed (exactly once, by <see cref="InboundProcessor"/>), then marked (\Seen + the keyword).
/// A crash or a lost connection between the two leaves the message unmarked; the next poll reads it
/// again and the processor's unique key makes that a no-op, after which it is marked.
/// A poll that cannot reach the server (down, connection lost mid-poll, login refused) is logged as
/// a warning and counted (<c>nurture_inbound_polls_total{outcome="failed"}</c>), not thrown: the
/// recurring job does not pile up failed Hangfire jobs, and the next polls back off (doubling from
/// <c>PollSeconds</c> up to 5 minutes) until one succeeds.
/// </summary>
public sealed partial class ImapInboxPoller(Settings.InstallationSettings settings, IServiceScopeFactory scopes, NurtureMetrics metrics, ILogger<ImapInboxPoller> logger)
{
    public const string ProcessedKeyword = "$NurtureProcessed";
    private const int MaxBackoffSeconds = 300;

    private readonly Lock _gate = new();
    private int _failures;
    private long _notBeforeTicks; // Environment.TickCount64: backoff is about real time, whatever clock the engine runs on

    /// <summary>Reads one batch; returns how many messages it processed (duplicates included), 0 when the server could not be reached.</summary>
    public async Task<int> PollAsync(CancellationToken ct)
    {
        var o = settings.Imap;
        if (!o.Enabled) return 0;
        lock (_gate)
            if (Environment.TickCount64 < _notBeforeTicks) return 0;
        try
        {
            var count = await ReadBatchAsync(o, ct);
            int failures;
            lock (_gate) (failures, _failures, _notBeforeTicks) = (_failures, 0, 0);
            if (failures > 0) LogRecovered(logger, o.Host!, o.Port, failures);
            metrics.InboundPoll("ok");
            return count;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            int failures, delay;
            lock (_gate)
            {
                failures = ++_failures;
                delay = (int)Math.Min(Math.Max(o.PollSeconds, MaxBackoffSeconds), o.PollSeconds * Math.Pow(2, Math.Min(failures - 1, 20)));
                _notBeforeTicks = Environment.TickCount64 + delay * 1000L - 500; // a little early, so the tick at that second runs
            }
            LogUnreachable(logger, o.Host!, o.Port, failures, delay, e.Message, e);
            metrics.InboundPoll("failed");
            return 0;
        }
    }

    private async Task<int> ReadBatchAsync(ImapOptions o, CancellationToken ct)
    {
        using var client = new ImapClient { Timeout = 60_000 };
        await client.ConnectAsync(o.Host!, o.Port, Enum.Parse<SecureSocketOptions>(o.Security, ignoreCase: true), ct);
        if (!string.IsNullOrEmpty(o.User)) await client.AuthenticateAsync(o.User, o.Password ?? "", ct);
        var folder = o.Folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(o.Folder, ct);
        await folder.OpenAsync(FolderAccess.ReadWrite, ct);
        var pending = await folder.SearchAsync(SearchQuery.NotDeleted.And(SearchQuery.NotKeyword(ProcessedKeyword)), ct);
        var count = 0;
        foreach (var uid in pending.Take(o.BatchSize))
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var message = await folder.GetMessageAsync(uid, ct);
                using (var scope = scopes.CreateScope())
                    await scope.ServiceProvider.GetRequiredService<InboundProcessor>().ProcessAsync(message, ct);
                await folder.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { Keywords = { ProcessedKeyword }, Silent = true }, ct);
                count++;
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not IOException && e is not ImapProtocolException && e is not ServiceNotConnectedException)
            {
                // One bad message must not stop the rest; it stays unmarked and is tried again next poll.
                LogFailed(logger, uid.Id, e);
            }
        }
        await client.DisconnectAsync(true, ct);
        return count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound mailbox {Host}:{Port} could not be read ({Failures} failed polls in a row; next try in {DelaySeconds} s): {Error}")]
    static partial void LogUnreachable(ILogger logger, string host, int port, int failures, int delaySeconds, string error, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound mailbox {Host}:{Port} is readable again after {Failures} failed polls")]
    static partial void LogRecovered(ILogger logger, string host, int port, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound message UID {Uid} could not be processed; it will be tried again")]
    static partial void LogFailed(ILogger logger, uint uid, Exception e);
}
