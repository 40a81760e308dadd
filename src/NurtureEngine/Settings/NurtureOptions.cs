using System.ComponentModel.DataAnnotations;
using NurtureEngine.Mail;
using NurtureEngine.Tracking;

namespace NurtureEngine.Settings;

/// <summary>Configuration section <c>Nurture</c> (API.md "Configuration").</summary>
public sealed class NurtureOptions
{
    public const string Section = "Nurture";

    public SenderOptions Sender { get; set; } = new();
    /// <summary>Absolute base URL for tracking, click and unsubscribe links; defaults to the app's own URL.</summary>
    public string? PublicBaseUrl { get; set; }
    [Range(1, 100)] public int SoftBounceLimit { get; set; } = 3;
    [RegularExpression("^(all|web|worker)$", ErrorMessage = "Nurture:Role must be all, web or worker.")]
    public string Role { get; set; } = "all";
    public bool? SeedDemo { get; set; }
    /// <summary>Demo deal pipelines (B2B, B2C), companies, leads and deals; default: on in Development.</summary>
    public bool? SeedDemoSales { get; set; }
    public string? BootstrapApiKey { get; set; }
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();
    /// <summary>Installation default IANA time zone for leads without one.</summary>
    public string DefaultTimeZone { get; set; } = "UTC";
    /// <summary>Enrollments claimed per scheduler batch.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 200;
    /// <summary>How long a worker holds claimed outbox messages; after a crash, others take them over when it expires.</summary>
    [Range(2, 3600)] public int SendLeaseSeconds { get; set; } = 120;

    /// <summary>Per-lead cap on marketing email: at most MaxEmails in Window (0 = off). Transactional steps are exempt.</summary>
    public FrequencyCapOptions FrequencyCap { get; set; } = new();
    /// <summary>Marketing emails per minute to one recipient domain (0 = off).</summary>
    [Range(0, 1_000_000)] public int DomainThrottlePerMinute { get; set; }
    /// <summary>Sequence emails per second across all worker processes (0 = off; fractions allowed, e.g. 0.5).</summary>
    [Range(0d, 100_000d)] public double SendRatePerSecond { get; set; }
    /// <summary>Wall-clock limit for rendering one part of one email; a render that hits it is retried later (raise it on a slow machine).</summary>
    [Range(1, 600_000)] public int RenderTimeoutMilliseconds { get; set; } = 2000;
    /// <summary>Dates (in each lead's time zone) on which no marketing email is sent; it waits for the next allowed time.</summary>
    public List<DateOnly> Holidays { get; set; } = [];

    public OpenTrackingOptions Opens { get; set; } = new();
    public DkimOptions Dkim { get; set; } = new();

    public bool RunsWorker => Role is "all" or "worker";
    public bool RunsWeb => Role is "all" or "web";
}

public sealed class FrequencyCapOptions
{
    [Range(0, 1000)] public int MaxEmails { get; set; }
    public string Window { get; set; } = "P1D";
}

public sealed class SenderOptions
{
    public string Name { get; set; } = "NurtureEngine Demo";
    [EmailAddress] public string Email { get; set; } = "hello@nurture.example";
    /// <summary>
    /// Where people's replies go. Empty: a per-message <c>reply+token@</c> address in the inbound
    /// domain, so every reply is tied to its email. Set: that mailbox; replies read from the
    /// inbound mailbox are still tied by the In-Reply-To they quote.
    /// </summary>
    [EmailAddress] public string? ReplyTo { get; set; }
    public string PostalAddress { get; set; } = "NurtureEngine Demo Ltd, 1 Example Street, London EC1A 1AA, United Kingdom";

    /// <summary>
    /// Domain of the addresses that come back to the inbound mailbox: the VERP Return-Path
    /// (<c>bounces+token@</c>), Reply-To (<c>reply+token@</c>) and List-Unsubscribe mailto
    /// (<c>unsubscribe+token@</c>). Its MX must deliver to <c>Inbound:Imap</c>. Default: the sender's domain.
    /// </summary>
    public string? InboundDomain { get; set; }

    public string Domain => Email[(Email.IndexOf('@') + 1)..];
    public string ReturnDomain => string.IsNullOrWhiteSpace(InboundDomain) ? Domain : InboundDomain.Trim();
}

public sealed class BootstrapAdminOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
}
