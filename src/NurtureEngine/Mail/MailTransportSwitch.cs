using NurtureEngine.Settings;

namespace NurtureEngine.Mail;

/// <summary>
/// The transport every sender uses: the SMTP relay in the settings in force, else the dev inbox.
/// A change of relay on the Settings page swaps the connection pool on the next message, without a restart.
/// </summary>
public sealed class MailTransportSwitch(InstallationSettings settings, DevInboxTransport devInbox, ILogger<SmtpRelayTransport> logger)
    : IMailTransport, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private (RelayKey Key, SmtpRelayTransport Transport)? _relay;

    public Task<DeliveryResult> SendAsync(MimeKit.MimeMessage message, CancellationToken ct)
    {
        var smtp = settings.Smtp;
        return smtp.UsesRelay ? RelayFor(smtp).SendAsync(message, ct) : devInbox.SendAsync(message, ct);
    }

    private SmtpRelayTransport RelayFor(SmtpOptions smtp)
    {
        var key = new RelayKey(smtp.Host!, smtp.Port, smtp.Security, smtp.User, smtp.Password, smtp.MaxConnections, smtp.TimeoutSeconds);
        SmtpRelayTransport? replaced;
        SmtpRelayTransport current;
        lock (_lock)
        {
            if (_relay is { } r && r.Key == key) return r.Transport;
            replaced = _relay?.Transport;
            current = new SmtpRelayTransport(smtp, logger);
            _relay = (key, current);
        }
        if (replaced is not null) _ = replaced.DisposeAsync().AsTask();
        return current;
    }

    public async ValueTask DisposeAsync()
    {
        if (_relay is { } r) await r.Transport.DisposeAsync();
    }

    private sealed record RelayKey(string Host, int Port, string Security, string? User, string? Password, int MaxConnections, int TimeoutSeconds);
}
