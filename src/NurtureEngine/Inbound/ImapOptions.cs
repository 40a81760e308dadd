using System.ComponentModel.DataAnnotations;

namespace NurtureEngine.Inbound;

/// <summary>Configuration <c>Inbound:Imap</c>: the mailbox that receives bounces, complaints and replies. No host: inbound mail is off.</summary>
public sealed class ImapOptions
{
    public const string Section = "Inbound:Imap";

    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 143;
    public string? User { get; set; }
    public string? Password { get; set; }
    [RegularExpression("^(Auto|None|StartTls|SslOnConnect|StartTlsWhenAvailable)$")]
    public string Security { get; set; } = "Auto";
    public string Folder { get; set; } = "INBOX";
    [Range(1, 86_400)] public int PollSeconds { get; set; } = 30;
    /// <summary>Messages read per poll at most (the rest wait for the next poll).</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 200;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}
