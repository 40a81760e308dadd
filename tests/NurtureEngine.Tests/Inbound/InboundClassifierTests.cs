using NurtureEngine.Inbound;

namespace NurtureEngine.Tests.Inbound;

/// <summary>The classifier against real-world bounce, complaint and reply formats (Inbound/Samples).</summary>
public sealed class InboundClassifierTests
{
    private const string Lead = "ada@example.com";
    private const string SentId = "0123456789abcdef0123456789abcdef@nurture.example";

    [Theory]
    [InlineData("postfix-dsn-user-unknown.eml", "5.1.1")]
    [InlineData("gmail-dsn-address-not-found.eml", "5.1.1")]
    [InlineData("exchange-ndr-recipient-not-found.eml", "5.1.10")]
    [InlineData("exchange-legacy-ndr-text-only.eml", "5.1.1")]
    [InlineData("qmail-no-mailbox.eml", "5.1.1")]
    [InlineData("exim-unrouteable.eml", "5.0.0")]
    [InlineData("yahoo-no-account.eml", "5.0.0")]
    [InlineData("dsn-text-only-no-code.eml", "5.0.0")]
    public void ABadAddress_IsAHardBounce_NamingTheRecipient(string sample, string status)
    {
        var c = InboundClassifier.Classify(InboundSamples.Load(sample));

        Assert.Equal(InboundKind.HardBounce, c.Kind);
        Assert.Equal(status, c.Status);
        Assert.Equal("address", c.Category);
        Assert.Contains(Lead, c.Recipients, StringComparer.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrWhiteSpace(c.Reason));
    }

    [Theory]
    [InlineData("gmail-dsn-spam-blocked-5.7.1.eml", "5.7.1", "policy")]
    [InlineData("exim-text-smtp-error-spam.eml", "5.7.1", "policy")]
    [InlineData("qmail-mailbox-full.eml", "5.2.2", "mailbox_full")]
    [InlineData("postfix-dsn-mailbox-full-5.2.2.eml", "5.2.2", "mailbox_full")]
    [InlineData("postfix-dsn-delayed-4.4.7.eml", "4.4.7", "delayed")]
    [InlineData("yahoo-deferred-4.7.0.eml", "4.7.0", "policy")]
    public void PolicyFullAndTemporaryFailures_AreSoftBounces_WithTheirReason(string sample, string status, string category)
    {
        var c = InboundClassifier.Classify(InboundSamples.Load(sample));

        Assert.Equal(InboundKind.SoftBounce, c.Kind);
        Assert.Equal(status, c.Status);
        Assert.Equal(category, c.Category);
        Assert.Contains(Lead, c.Recipients, StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("postfix-dsn-user-unknown.eml")]
    [InlineData("gmail-dsn-address-not-found.eml")]
    [InlineData("exchange-ndr-recipient-not-found.eml")]
    [InlineData("qmail-no-mailbox.eml")]
    [InlineData("exim-unrouteable.eml")]
    [InlineData("yahoo-no-account.eml")]
    [InlineData("arf-complaint-yahoo.eml")]
    [InlineData("arf-complaint-redacted.eml")]
    [InlineData("human-reply.eml")]
    public void TheOriginalMessageId_IsFound_SoTheMessageCanBeTied(string sample)
    {
        var c = InboundClassifier.Classify(InboundSamples.Load(sample));

        Assert.Contains(SentId, c.ReferencedMessageIds);
    }

    [Fact]
    public void ATokenInTheVerpAddress_IsFound()
    {
        var token = "abcdefghijABCDEFGHIJ0123456789-_abcdefghij";
        var c = InboundClassifier.Classify(InboundSamples.Load("qmail-no-mailbox.eml", bounceToken: token));

        Assert.Equal(token, c.Tokens[0]);
    }

    [Theory]
    [InlineData("arf-complaint-yahoo.eml")]
    [InlineData("arf-complaint-redacted.eml")]
    public void AnArfReport_IsAComplaint(string sample)
    {
        var c = InboundClassifier.Classify(InboundSamples.Load(sample));

        Assert.Equal(InboundKind.Complaint, c.Kind);
        Assert.Null(c.UnsubscribeToken);
    }

    [Fact]
    public void AnArfReport_NamesTheComplainingRecipient()
    {
        Assert.Equal(Lead, InboundClassifier.Classify(InboundSamples.Load("arf-complaint-yahoo.eml")).Recipients[0]);
    }

    [Theory]
    [InlineData("ooo-exchange-auto-submitted.eml")]
    [InlineData("ooo-german-subject-only.eml")]
    [InlineData("ooo-french-x-autoreply.eml")]
    [InlineData("vacation-precedence-bulk.eml")]
    public void OutOfOfficeAndVacationReplies_AreAutoReplies(string sample)
    {
        Assert.Equal(InboundKind.AutoReply, InboundClassifier.Classify(InboundSamples.Load(sample)).Kind);
    }

    [Theory]
    [InlineData("human-reply.eml")]
    [InlineData("human-reply-about-vacation-words-none.eml")]
    public void APersonsAnswer_IsAReply(string sample)
    {
        Assert.Equal(InboundKind.Reply, InboundClassifier.Classify(InboundSamples.Load(sample)).Kind);
    }

    /// <summary>Was a hard-bounce case. Sisimai reads "550 Requested action not taken: mailbox unavailable" with no status
    /// code and no RCPT TO named as "filtered" (Reason/UserUnknown.pm needs the RCPT command; Reason/Filtered.pm then
    /// matches UserUnknown's words), a soft bounce: we no longer suppress on it.</summary>
    [Fact]
    public void AReportOfMailboxUnavailable_WithNoStatusNorCommand_IsSoft_AsSisimaiReadsIt()
    {
        Assert.Equal(InboundKind.SoftBounce, InboundClassifier.Classify(InboundSamples.Load("sendmail-dsn-no-status-mailbox-unavailable.eml")).Kind);
    }

    [Fact]
    public void AppleMailsUnsubscribeMessage_ToTheListUnsubscribeMailto_IsAnUnsubscribe()
    {
        var token = "unsubABCDEFGHIJ0123456789-_abcdefghijklmn";
        var c = InboundClassifier.Classify(InboundSamples.Load("apple-mail-unsubscribe.eml", unsubscribeToken: token + "o"));

        Assert.Equal(InboundKind.Unsubscribe, c.Kind);
        Assert.Equal(token + "o", c.UnsubscribeToken);
    }

    [Fact]
    public void MailToTheListUnsubscribeAddress_IsAnUnsubscribe_WithItsToken()
    {
        var token = "unsubABCDEFGHIJ0123456789-_abcdefghijklmn";
        var c = InboundClassifier.Classify(InboundSamples.Load("unsubscribe-mailto.eml", unsubscribeToken: token + "o"));

        Assert.Equal(InboundKind.Unsubscribe, c.Kind);
        Assert.Equal(token + "o", c.UnsubscribeToken);
    }

    [Fact]
    public void ASuccessDsn_IsADelivery()
    {
        Assert.Equal(InboundKind.Delivered, InboundClassifier.Classify(InboundSamples.Load("gmail-success-dsn.eml")).Kind);
    }

    [Theory]
    [InlineData("550 5.1.1 User unknown", true, "5.1.1")]
    [InlineData("550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown in virtual mailbox table", true, "5.1.1")]
    // Sisimai (Reason/Suspend.pm, sample rhost-google-01) reads a disabled account as "suspend": soft, not hard.
    [InlineData("550 5.2.1 The email account that you tried to reach is disabled.", false, "5.2.1")]
    [InlineData("550 Requested action not taken: mailbox unavailable", true, "5.0.0")]
    [InlineData("550 5.4.4 <ada@nowhere.example>: Host or domain name not found. Name service error for name=nowhere.example type=A: Host not found", true, "5.4.4")]
    [InlineData("450 4.4.3 <ada@example.com>: Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again", false, "4.4.3")]
    [InlineData("550 5.1.0 Address rejected.", true, "5.1.0")]
    [InlineData("550-Verification failed for <bounces+abc@nurture.example>\n550-Unrouteable address\n550 Sender verify failed", false, "5.0.0")]
    [InlineData("550 No Such User Here", true, "5.0.0")]
    [InlineData("554 30 Sorry, your message to ada@aol.example cannot be delivered. This mailbox is disabled (554.30).", false, "5.0.0")]
    [InlineData("550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)", true, "5.5.0")]
    [InlineData("554 5.4.4 Unable to route: message loop detected, too many hops", false, "5.4.4")]
    [InlineData("554 5.7.1 Message rejected as spam", false, "5.7.1")]
    [InlineData("550 5.7.1 <ada@example.com>: Recipient address rejected: Access denied", false, "5.7.1")]
    [InlineData("552 5.2.2 Mailbox full", false, "5.2.2")]
    [InlineData("451 4.3.0 Try again later", false, "4.3.0")]
    [InlineData("550 5.7.26 This message does not pass authentication checks (SPF and DKIM both do not pass).", false, "5.7.26")]
    [InlineData("421 4.7.0 Try again later, closing connection. (192.168.5.1.1)", false, "4.7.0")]
    public void SmtpReplies_AreClassifiedByEnhancedCodeThenWords(string reply, bool hard, string status)
    {
        var v = BounceClassifier.Classify(null, reply);

        Assert.Equal(hard, v.Hard);
        Assert.Equal(status, v.Status);
    }
}
