using MimeKit;

namespace NurtureEngine.Mail;

public enum DeliveryOutcome
{
    /// <summary>2xx after DATA: the relay took responsibility.</summary>
    Sent,
    /// <summary>Definitely not sent (connect failure, 4xx before acceptance): retry later.</summary>
    RetryLater,
    /// <summary>5xx: permanent failure.</summary>
    Rejected,
    /// <summary>
    /// Not sent, and sending again through this relay would not help (a UTF-8 local part and no
    /// SMTPUTF8): a failure, but no bounce: the address itself is not at fault.
    /// </summary>
    Unsupported,
    /// <summary>The message may or may not have been accepted (timeout or drop after the final dot): never resent blindly.</summary>
    Unknown,
}

public sealed record DeliveryResult(DeliveryOutcome Outcome, string Reply);

/// <summary>Hands one message to the relay (or the dev inbox).</summary>
public interface IMailTransport
{
    Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken ct);
}
