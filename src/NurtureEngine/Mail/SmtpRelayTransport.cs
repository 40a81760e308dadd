using System.Net.Sockets;
using System.Threading.Channels;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace NurtureEngine.Mail;

/// <summary>
/// Sends through one relay (<see cref="MailTransportSwitch"/> picks it from the settings) with a pool of connected, authenticated <see cref="SmtpClient"/>s
/// (<c>Smtp:MaxConnections</c>), reused across messages and reconnected after a failure.
/// Maps replies to outcomes: 2xx sent, 4xx retry, 5xx rejected; a failure after the whole message
/// was transmitted is Unknown (RFC 5321 §4.5.3.2: the final reply may come long after). A message
/// the relay cannot carry (a UTF-8 local part, and no SMTPUTF8) is Unsupported, without a word to the relay.
/// </summary>
public sealed partial class SmtpRelayTransport : IMailTransport, IAsyncDisposable
{
    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpRelayTransport> _logger;
    private readonly Channel<SmtpClient?> _pool;

    private volatile bool _disposed;

    public SmtpRelayTransport(SmtpOptions options, ILogger<SmtpRelayTransport> logger)
    {
        _options = options;
        _logger = logger;
        _pool = Channel.CreateBounded<SmtpClient?>(_options.MaxConnections);
        for (var i = 0; i < _options.MaxConnections; i++) _pool.Writer.TryWrite(null);
    }

    public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken ct)
    {
        var client = await _pool.Reader.ReadAsync(ct);
        var progress = new Progress();
        try
        {
            client = await EnsureConnectedAsync(client, ct);
            var sender = EnvelopeSender(message);
            if ((client.Capabilities & SmtpCapabilities.UTF8) == 0 && message.To.Mailboxes.Prepend(sender).FirstOrDefault(NeedsSmtpUtf8) is { } international)
                return new DeliveryResult(DeliveryOutcome.Unsupported,
                    $"not sent: the address {international.Address} has a non-ASCII local part, which needs SMTPUTF8 (RFC 6531), and the relay does not support it");
            var reply = await client.SendAsync(message, sender, message.To.Mailboxes, ct, progress);
            return new DeliveryResult(DeliveryOutcome.Sent, reply);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            var reply = $"{code} {e.Message}";
            if (code is >= 400 and < 500) return new DeliveryResult(DeliveryOutcome.RetryLater, reply);
            // A rejected envelope leaves the connection usable; a rejected DATA too.
            return new DeliveryResult(DeliveryOutcome.Rejected, reply);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or TimeoutException or OperationCanceledException or AuthenticationException or ServiceNotConnectedException)
        {
            client = await DropAsync(client);
            if (e is OperationCanceledException && ct.IsCancellationRequested && !progress.Complete) throw;
            LogTransportFailure(_logger, _options.Host!, e.GetType().Name, e.Message);
            return progress.Complete
                ? new DeliveryResult(DeliveryOutcome.Unknown, $"connection lost after the message was transmitted: {e.Message}")
                : new DeliveryResult(DeliveryOutcome.RetryLater, $"not sent: {e.Message}");
        }
        finally
        {
            // A pool replaced by new settings closes the connections still in use as they come back.
            if (_disposed) await DropAsync(client);
            else _pool.Writer.TryWrite(client);
        }
    }

    /// <summary>
    /// A non-ASCII local part can only travel with SMTPUTF8. A Unicode domain can without it: MailKit
    /// writes it in A-labels (punycode), so this looks at the local part only, not at MimeKit's
    /// <c>IsInternational</c> (which is true for a Unicode domain too).
    /// </summary>
    private static bool NeedsSmtpUtf8(MailboxAddress mailbox) => !System.Text.Ascii.IsValid(mailbox.LocalPart);

    /// <summary>The VERP Return-Path becomes MAIL FROM; the header itself is the receiving MTA's to write.</summary>
    private static MailboxAddress EnvelopeSender(MimeMessage message)
    {
        var returnPath = message.Headers[HeaderId.ReturnPath];
        if (returnPath is not null)
        {
            message.Headers.Remove(HeaderId.ReturnPath);
            if (MailboxAddress.TryParse(returnPath.Trim(), out var verp)) return verp;
        }
        return message.From.Mailboxes.First();
    }

    private async Task<SmtpClient> EnsureConnectedAsync(SmtpClient? client, CancellationToken ct)
    {
        if (client is { IsConnected: true }) return client;
        client?.Dispose();
        client = new SmtpClient { Timeout = _options.TimeoutSeconds * 1000 };
        var security = Enum.Parse<SecureSocketOptions>(_options.Security, ignoreCase: true);
        await client.ConnectAsync(await NoDelaySocket.ConnectAsync(_options.Host!, _options.Port, ct), _options.Host!, _options.Port, security, ct);
        if (!string.IsNullOrEmpty(_options.User)) await client.AuthenticateAsync(_options.User, _options.Password ?? "", ct);
        return client;
    }

    private static async Task<SmtpClient?> DropAsync(SmtpClient? client)
    {
        if (client is null) return null;
        try { if (client.IsConnected) await client.DisconnectAsync(true, CancellationToken.None); }
        catch (Exception) { /* already broken */ }
        client.Dispose();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_pool.Reader.TryRead(out var client)) await DropAsync(client);
    }

    /// <summary>Tracks whether every byte of the message (and so the final dot) went out.</summary>
    private sealed class Progress : ITransferProgress
    {
        public bool Complete { get; private set; }
        public void Report(long bytesTransferred, long totalSize) => Complete = bytesTransferred >= totalSize;
        public void Report(long bytesTransferred) { }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMTP {Host}: {Error} {Detail}")]
    static partial void LogTransportFailure(ILogger logger, string host, string error, string detail);
}
