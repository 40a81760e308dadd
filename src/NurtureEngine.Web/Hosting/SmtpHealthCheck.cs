using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NurtureEngine.Mail;
using NurtureEngine.Settings;

namespace NurtureEngine.Web.Hosting;

/// <summary>
/// Ready only if the SMTP relay answers (connect, TLS as configured, authenticate): checked in the
/// roles that send (worker, all). A web process never sends, so it is not held back by the relay.
/// Without a relay, mail goes to the dev inbox and there is nothing to reach.
/// </summary>
public sealed class SmtpHealthCheck(InstallationSettings settings, IOptions<NurtureOptions> nurture) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var options = settings.Smtp;
        if (!nurture.Value.RunsWorker) return HealthCheckResult.Healthy("web role: does not send");
        if (!options.UsesRelay) return HealthCheckResult.Healthy("no SMTP relay configured: emails go to the dev inbox");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host!, options.Port, Enum.Parse<SecureSocketOptions>(options.Security, ignoreCase: true), timeout.Token);
            if (!string.IsNullOrEmpty(options.User)) await client.AuthenticateAsync(options.User, options.Password ?? "", timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
            return HealthCheckResult.Healthy($"SMTP relay {options.Host}:{options.Port} reachable");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"SMTP relay {options.Host}:{options.Port} unreachable: {e.Message}");
        }
    }
}
