namespace NurtureEngine.Mail;

/// <summary>
/// Configuration <c>Nurture:Dkim</c>: when a selector, domain and key are set, every outgoing email
/// is DKIM-signed (RSA-SHA256, relaxed/relaxed) over From, Subject, Date, To, Message-ID, Reply-To
/// and both List-Unsubscribe headers. The key is PEM (PKCS#1 or PKCS#8), inline or in a file.
/// </summary>
public sealed class DkimOptions
{
    public string? Selector { get; set; }
    public string? Domain { get; set; }
    public string? PrivateKeyPem { get; set; }
    public string? PrivateKeyPath { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Selector) && !string.IsNullOrWhiteSpace(Domain)
        && (!string.IsNullOrWhiteSpace(PrivateKeyPem) || !string.IsNullOrWhiteSpace(PrivateKeyPath));
}
