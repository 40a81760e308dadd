namespace NurtureEngine.Settings;

/// <summary>
/// What an admin saved on the Settings page, stored as one JSON row of <c>nurture.setting</c>.
/// A null field was never saved: configuration (<c>Nurture:*</c>, <c>Smtp:*</c>, <c>Inbound:Imap:*</c>)
/// applies. Passwords are kept encrypted with the installation's data-protection keys.
/// </summary>
public sealed record SavedSettings
{
    public string? SenderName { get; init; }
    public string? SenderEmail { get; init; }
    public string? ReplyTo { get; init; }
    public string? PostalAddress { get; init; }

    /// <summary>Empty string: no relay (the dev inbox captures email), even when configuration names one.</summary>
    public string? SmtpHost { get; init; }
    public int? SmtpPort { get; init; }
    public string? SmtpSecurity { get; init; }
    public string? SmtpUser { get; init; }
    public string? SmtpPasswordProtected { get; init; }

    /// <summary>Empty string: inbound mail off.</summary>
    public string? ImapHost { get; init; }
    public int? ImapPort { get; init; }
    public string? ImapSecurity { get; init; }
    public string? ImapUser { get; init; }
    public string? ImapPasswordProtected { get; init; }
    public string? ImapFolder { get; init; }

    public string? PublicBaseUrl { get; init; }
    public string? DefaultTimeZone { get; init; }
    public int? FrequencyCapMaxEmails { get; init; }
    public string? FrequencyCapWindow { get; init; }
    public int? DomainThrottlePerMinute { get; init; }
}
