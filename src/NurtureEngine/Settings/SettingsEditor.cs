using Hangfire;
using MimeKit;
using NurtureEngine.Common;
using NurtureEngine.Inbound;
using NurtureEngine.Leads;
using NurtureEngine.Mail;

namespace NurtureEngine.Settings;

public sealed record SenderInput(string? Name, string? Email, string? ReplyTo, string? PostalAddress);
/// <summary>A blank <see cref="Password"/> keeps the one already set (passwords are never shown back).</summary>
public sealed record MailServerInput(string? Host, int? Port, string? Security, string? User, string? Password, bool ClearPassword, string? Folder = null);
public sealed record DeliveryInput(string? PublicBaseUrl, string? DefaultTimeZone, int? FrequencyCapMaxEmails, string? FrequencyCapWindow, int? DomainThrottlePerMinute);

/// <summary>
/// Validates and saves the Settings page's sections, one at a time, into <see cref="InstallationSettings"/>;
/// and sends a test email through a relay before it is saved, reporting the relay's answer.
/// </summary>
public sealed class SettingsEditor(InstallationSettings settings, IRecurringJobManager recurring, ILoggerFactory logs, TimeProvider clock)
{
    public static readonly string[] SecurityModes = ["Auto", "None", "StartTls", "SslOnConnect", "StartTlsWhenAvailable"];

    public Task SaveSenderAsync(SenderInput input, CancellationToken ct)
    {
        var errors = new Errors();
        var name = OneLine(input.Name, "name", 200, errors, required: true);
        var email = input.Email?.Trim();
        if (!EmailAddress.IsValid(email)) errors.Add("email", "a valid email address is required");
        var replyTo = string.IsNullOrWhiteSpace(input.ReplyTo) ? null : input.ReplyTo.Trim();
        if (replyTo is not null && !EmailAddress.IsValid(replyTo)) errors.Add("replyTo", "must be one email address, or empty");
        var postal = input.PostalAddress?.Trim();
        if (string.IsNullOrEmpty(postal)) errors.Add("postalAddress", "a postal address is required in marketing email (CAN-SPAM)");
        else if (postal.Length > InputLimits.MaxReasonChars) errors.Add("postalAddress", $"at most {InputLimits.MaxReasonChars} characters");
        errors.ThrowIfAny();
        return settings.SaveAsync(s => s with { SenderName = name, SenderEmail = email, ReplyTo = replyTo ?? "", PostalAddress = postal }, ct);
    }

    public Task SaveSmtpAsync(MailServerInput input, CancellationToken ct)
    {
        var candidate = Smtp(input);
        var password = PasswordToKeep(input, settings.Saved.SmtpPasswordProtected, settings.Smtp.Password);
        return settings.SaveAsync(s => s with
        {
            SmtpHost = candidate.Host ?? "", SmtpPort = candidate.Port, SmtpSecurity = candidate.Security, SmtpUser = candidate.User,
            SmtpPasswordProtected = password,
        }, ct);
    }

    public async Task SaveImapAsync(MailServerInput input, CancellationToken ct)
    {
        var errors = new Errors();
        var host = Host(input.Host, errors);
        var port = Port(input.Port, 143, errors);
        var security = Security(input.Security, errors);
        var user = OneLine(input.User, "user", 200, errors, required: false);
        var folder = OneLine(input.Folder, "folder", 200, errors, required: host is not null) ?? "INBOX";
        errors.ThrowIfAny();
        var password = PasswordToKeep(input, settings.Saved.ImapPasswordProtected, settings.Imap.Password);
        await settings.SaveAsync(s => s with
        {
            ImapHost = host ?? "", ImapPort = port, ImapSecurity = security, ImapUser = user, ImapPasswordProtected = password, ImapFolder = folder,
        }, ct);
        // The mailbox poll is a recurring job: switch it on or off for every worker now.
        recurring.AddInboundRecurringJobs(settings.Imap);
    }

    public Task SaveDeliveryAsync(DeliveryInput input, CancellationToken ct)
    {
        var errors = new Errors();
        string? baseUrl = null;
        if (!string.IsNullOrWhiteSpace(input.PublicBaseUrl))
        {
            if (Uri.TryCreate(input.PublicBaseUrl.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0)
                baseUrl = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            else errors.Add("publicBaseUrl", "an absolute http(s) URL without query, e.g. https://track.example.com");
        }
        var zone = input.DefaultTimeZone?.Trim();
        if (string.IsNullOrEmpty(zone) || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz) || !tz.HasIanaId)
            errors.Add("defaultTimeZone", "an IANA time zone id, e.g. Europe/London");
        if (input.FrequencyCapMaxEmails is not (null or (>= 0 and <= 1000))) errors.Add("frequencyCapMaxEmails", "0 (off) to 1000");
        var window = string.IsNullOrWhiteSpace(input.FrequencyCapWindow) ? "P1D" : input.FrequencyCapWindow.Trim();
        if (Iso8601Duration.TryParse(window) is null) errors.Add("frequencyCapWindow", "an ISO 8601 duration, e.g. P1D or P7D");
        if (input.DomainThrottlePerMinute is not (null or (>= 0 and <= 1_000_000))) errors.Add("domainThrottlePerMinute", "0 (off) to 1,000,000");
        errors.ThrowIfAny();
        return settings.SaveAsync(s => s with
        {
            PublicBaseUrl = baseUrl, DefaultTimeZone = zone, FrequencyCapMaxEmails = input.FrequencyCapMaxEmails ?? 0,
            FrequencyCapWindow = window, DomainThrottlePerMinute = input.DomainThrottlePerMinute ?? 0,
        }, ct);
    }

    /// <summary>Sends one email through the relay in <paramref name="input"/> (not yet saved) and returns its answer.</summary>
    public async Task<DeliveryResult> SendTestAsync(MailServerInput input, string to, CancellationToken ct)
    {
        var candidate = Smtp(input);
        if (candidate.Host is null) throw new ValidationException("host", "name the relay to test");
        if (!EmailAddress.IsValid(to)) throw new ValidationException("to", "a valid email address is required");
        if (string.IsNullOrEmpty(input.Password) && !input.ClearPassword && candidate.User is not null) candidate.Password = settings.Smtp.Password;
        candidate.MaxConnections = 1;
        candidate.TimeoutSeconds = Math.Min(candidate.TimeoutSeconds, 20);
        var sender = settings.Nurture.Sender;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(sender.Name, sender.Email));
        message.To.Add(MailboxAddress.Parse(to.Trim()));
        message.Subject = "[Test] NurtureEngine SMTP relay";
        message.MessageId = $"{Guid.NewGuid():N}@{sender.Domain}";
        message.Date = clock.GetUtcNow();
        message.Body = new TextPart("plain") { Text = $"This test was sent through {candidate.Host}:{candidate.Port} from the NurtureEngine settings page.\n" };
        await using var relay = new SmtpRelayTransport(candidate, logs.CreateLogger<SmtpRelayTransport>());
        return await relay.SendAsync(message, ct);
    }

    private SmtpOptions Smtp(MailServerInput input)
    {
        var errors = new Errors();
        var host = Host(input.Host, errors);
        var port = Port(input.Port, 25, errors);
        var security = Security(input.Security, errors);
        var user = OneLine(input.User, "user", 200, errors, required: false);
        errors.ThrowIfAny();
        var configured = settings.Configured().Smtp;
        return new SmtpOptions
        {
            Host = host, Port = port, Security = security, User = user, Password = input.Password,
            MaxConnections = configured.MaxConnections, TimeoutSeconds = configured.TimeoutSeconds,
        };
    }

    /// <summary>A new password if typed; else the one in force stays (kept encrypted), unless cleared.</summary>
    private string? PasswordToKeep(MailServerInput input, string? savedProtected, string? inForce)
    {
        if (input.ClearPassword) return null;
        if (!string.IsNullOrEmpty(input.Password)) return settings.Protect(input.Password);
        return savedProtected ?? (string.IsNullOrEmpty(inForce) ? null : settings.Protect(inForce));
    }

    private static string? Host(string? value, Errors errors)
    {
        var host = value?.Trim();
        if (string.IsNullOrEmpty(host)) return null;
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown) { errors.Add("host", "a host name or IP address, e.g. smtp.example.com"); return null; }
        return host;
    }

    private static int Port(int? value, int fallback, Errors errors)
    {
        if (value is null) return fallback;
        if (value is < 1 or > 65535) errors.Add("port", "1 to 65535");
        return value.Value;
    }

    private static string Security(string? value, Errors errors)
    {
        var mode = SecurityModes.FirstOrDefault(m => m.Equals(value?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (mode is null) errors.Add("security", "one of " + string.Join(", ", SecurityModes));
        return mode ?? "Auto";
    }

    private static string? OneLine(string? value, string field, int max, Errors errors, bool required)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required) errors.Add(field, "required");
            return null;
        }
        if (text.Length > max) errors.Add(field, $"at most {max} characters");
        if (text.Any(char.IsControl)) errors.Add(field, "no line breaks or control characters");
        return text;
    }
}
