using MimeKit;
using MimeKit.Cryptography;

namespace NurtureEngine.Mail;

/// <summary>
/// DKIM-signs outgoing email when <c>Nurture:Dkim</c> is configured (RFC 6376, RSA-SHA256,
/// relaxed/relaxed). Signs From, Subject, Date, To, Message-ID, Reply-To and both RFC 8058
/// List-Unsubscribe headers, so a one-click unsubscribe link cannot be swapped in transit.
/// The message is first prepared for 7-bit transport, so no relay re-encodes a signed body.
/// </summary>
public sealed class DkimMessageSigner
{
    private static readonly string[] SignedHeaders =
        ["From", "Subject", "Date", "To", "Message-ID", "Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type"];
    private readonly DkimSigner? _signer;

    public DkimMessageSigner(IOptions<Settings.NurtureOptions> options)
    {
        var o = options.Value.Dkim;
        if (!o.Enabled) return;
        var pem = !string.IsNullOrWhiteSpace(o.PrivateKeyPem) ? o.PrivateKeyPem.Replace("\\n", "\n") : File.ReadAllText(o.PrivateKeyPath!);
        using var stream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(pem));
        _signer = new DkimSigner(stream, o.Domain!.Trim(), o.Selector!.Trim(), DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            AgentOrUserIdentifier = "@" + o.Domain!.Trim(),
        };
    }

    public bool Enabled => _signer is not null;

    public void Sign(MimeMessage message)
    {
        if (_signer is null) return;
        message.Prepare(EncodingConstraint.SevenBit);
        var present = SignedHeaders.Where(h => message.Headers.Contains(h)).ToArray();
        _signer.Sign(message, present);
    }
}
