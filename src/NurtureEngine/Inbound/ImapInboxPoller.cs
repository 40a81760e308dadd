using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

namespace NurtureEngine.Inbound;

/// <summary>
/// Reads the inbound mailbox over IMAP: every message not yet marked with <see cref="ProcessedKeyword"/>
/// is processed (exactly once, by <see cref="InboundProcessor"/>), then marked (\Seen + the keyword).
/// A crash between the two leaves the message unmarked; the next poll reads it again and the
/// processor's unique key makes that a no-op, after which it is marked.
/// </summary>
public sealed partial class ImapInboxPoller(Settings.InstallationSettings settings, IServiceScopeFactory scopes, ILogger<ImapInboxPoller> logger)
{
    public const string ProcessedKeyword = "$NurtureProcessed";

    /// <summary>Reads one batch; returns how many messages it processed (duplicates included).</summary>
    public async Task<int> PollAsync(CancellationToken ct)
    {
        var o = settings.Imap;
        if (!o.Enabled) return 0;
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
            catch (Exception e) when (e is not OperationCanceledException && e is not IOException && e is not ImapProtocolException)
            {
                // One bad message must not stop the rest; it stays unmarked and is tried again next poll.
                LogFailed(logger, uid.Id, e);
            }
        }
        await client.DisconnectAsync(true, ct);
        return count;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound message UID {Uid} could not be processed; it will be tried again")]
    static partial void LogFailed(ILogger logger, uint uid, Exception e);
}
