using System.ComponentModel.DataAnnotations;

namespace NurtureEngine.Mail;

/// <summary>Configuration section <c>Smtp</c>. No <see cref="Host"/>: emails go to the dev inbox.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 25;
    public string? User { get; set; }
    public string? Password { get; set; }
    [RegularExpression("^(Auto|None|StartTls|SslOnConnect|StartTlsWhenAvailable)$")]
    public string Security { get; set; } = "Auto";
    [Range(1, 64)] public int MaxConnections { get; set; } = 4;
    /// <summary>How long to wait for each SMTP reply; a timeout after DATA is an unknown outcome.</summary>
    [Range(1, 900)] public int TimeoutSeconds { get; set; } = 120;

    public bool UsesRelay => !string.IsNullOrWhiteSpace(Host);
}
