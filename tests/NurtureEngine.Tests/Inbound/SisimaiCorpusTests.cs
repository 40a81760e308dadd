using MimeKit;
using NurtureEngine.Inbound;
using Xunit.Abstractions;

namespace NurtureEngine.Tests.Inbound;

/// <summary>
/// Our classification against Sisimai's on its public corpus of real bounces, complaints and
/// auto-replies from many mail systems (Samples/sisimai, README there for source and licence).
/// </summary>
public sealed class SisimaiCorpusTests(ITestOutputHelper output)
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Inbound", "Samples", "sisimai");

    private sealed record Sample(string File, string Expected, string Reasons);

    private static List<Sample> Samples() => File.ReadAllLines(Path.Combine(Folder, "expected.tsv"))
        .Where(l => !l.StartsWith('#') && l.Length > 0).Select(l => l.Split('\t')).Select(p => new Sample(p[0], p[1], p[2])).ToList();

    private static string Ours(string file)
    {
        MimeMessage message;
        try { message = MimeMessage.Load(Path.Combine(Folder, file)); }
        catch (FormatException) { return "unparsable"; }
        return InboundClassifier.Classify(message).Kind switch
        {
            InboundKind.HardBounce => "hard",
            InboundKind.SoftBounce => "soft",
            InboundKind.Complaint => "complaint",
            InboundKind.AutoReply => "autoreply",
            InboundKind.Delivered => "delivered",
            InboundKind.Unsubscribe => "unsubscribe",
            _ => "reply",
        };
    }

    private static bool Suppresses(string kind) => kind is "hard" or "complaint" or "unsubscribe";

    [Fact]
    public void OnSisimaisCorpus_WeAgreeWithSisimai_AndNoSoftBounceOrAutoReplySuppresses()
    {
        var samples = Samples();
        var results = samples.Select(s => (Sample: s, Ours: Ours(s.File))).ToList();
        var agree = results.Count(r => r.Ours == r.Sample.Expected);
        var wronglySuppressing = results.Where(r => Suppresses(r.Ours) && !Suppresses(r.Sample.Expected)).ToList();
        foreach (var r in results.Where(r => r.Ours != r.Sample.Expected))
            output.WriteLine($"{r.Sample.File}: Sisimai {r.Sample.Expected} ({r.Sample.Reasons}), ours {r.Ours}");
        var rate = (double)agree / samples.Count;
        output.WriteLine($"agree on {agree} of {samples.Count} ({rate:P1}); {wronglySuppressing.Count} would suppress a good address");

        Assert.True(samples.Count > 500, $"only {samples.Count} samples");
        Assert.True(wronglySuppressing.Count <= MaxWronglySuppressing,
            $"{wronglySuppressing.Count} would suppress a good address (at most {MaxWronglySuppressing} allowed so far): "
            + string.Join(", ", wronglySuppressing.Select(r => $"{r.Sample.File} ({r.Sample.Reasons})")));
        Assert.True(agree >= MinimumAgreeing, $"agree on {agree} of {samples.Count} ({rate:P1}), fewer than the {MinimumAgreeing} of the last run");
    }

    [Theory]
    [InlineData("lhost-amazonses-11.eml", "complaint")] // Amazon SES complaint, SNS JSON in the body
    [InlineData("lhost-amazonses-09.eml", "hard")]      // Amazon SES permanent bounce, 5.1.1, SNS JSON
    [InlineData("lhost-amazonses-12.eml", "delivered")] // Amazon SES delivery notification
    [InlineData("rhost-microsoft-03.eml", "hard")]      // Office 365, 550 5.1.10 RESOLVER.ADR.RecipientNotFound
    [InlineData("rhost-microsoft-02.eml", "hard")]      // Exchange Online's table: 5.4.1 "recipient address rejected: access denied"
    [InlineData("lhost-office365-09.eml", "hard")]      // Office 365 quoting the RCPT TO reply: "unknown recipient or mailbox unavailable -> 550 Unknown user"
    [InlineData("lhost-outlook-08.eml", "hard")]        // Outlook.com's "Requested action not taken: mailbox unavailable"
    [InlineData("lhost-postfix-46.eml", "hard")]        // Postfix: the DSN's reply without, the text's with "(in reply to RCPT TO command)"
    [InlineData("lhost-courier-04.eml", "hard")]        // Courier's own "No such domain."
    [InlineData("rhost-google-02.eml", "hard")]         // a boundary no line matches: the whole body read as the bounce's text
    [InlineData("lhost-verizon-02.eml", "hard")]        // Verizon's SMS gateway: "550 - Requested action not taken: no such user here"
    [InlineData("lhost-dragonfly-29.eml", "soft")]      // DragonFly Mail Agent: "Could not deliver for the last 432000 seconds"
    [InlineData("lhost-dragonfly-04.eml", "hard")]      // DragonFly Mail Agent: "DNS lookup failure: host … not found"
    [InlineData("lhost-fml-02.eml", "soft")]            // fml: "You are not a member of this mailing list" (rejected)
    [InlineData("lhost-office365-13.eml", "hard")]      // Office 365 NDR, 5.1.10
    [InlineData("lhost-domino-01.eml", "hard")]         // IBM Domino "not listed in Domino Directory", no decisive code
    [InlineData("lhost-domino-02.eml", "hard")]         // IBM Domino, the same in Japanese (ISO-2022-JP)
    [InlineData("lhost-notes-03.eml", "hard")]          // Lotus Notes "not listed in public Name & Address Book"
    [InlineData("lhost-notes-02.eml", "hard")]          // Lotus Notes, the same in Japanese, no charset declared
    [InlineData("lhost-messagingserver-05.eml", "hard")] // Oracle Communications Messaging Server, host unknown 5.4.4
    [InlineData("lhost-opensmtpd-05.eml", "soft")]      // OpenSMTPD "Envelope expired" after retries
    [InlineData("lhost-opensmtpd-06.eml", "soft")]      // OpenSMTPD expired
    [InlineData("rhost-godaddy-02.eml", "soft")]        // GoDaddy: a Spamhaus listing under a 5.1.3 status (Sisimai::Rhost::GoDaddy)
    [InlineData("rhost-godaddy-03.eml", "soft")]        // GoDaddy "IB607" rate limit under 5.1.1
    [InlineData("rhost-spectrum-01.eml", "soft")]       // Spectrum "AUP#In-1310" under 5.1.0 (Sisimai::Rhost::Spectrum)
    [InlineData("rhost-franceptt-02.eml", "hard")]      // La Poste "LPN007_416" invalid recipient under 5.5.0 (Sisimai::Rhost::FrancePTT)
    [InlineData("lhost-receivingses-01.eml", "soft")]   // Amazon SES receiving "Mailbox does not exist": a filter (Sisimai::Lhost::ReceivingSES)
    [InlineData("lhost-amazonses-01.eml", "soft")]      // Amazon SES: the quoted 5.7.1 reply, not its own 5.1.0
    [InlineData("lhost-ezweb-02.eml", "soft")]          // au EZweb "account is disabled": suspended (Sisimai::Lhost::EZweb)
    [InlineData("lhost-kddi-01.eml", "soft")]           // au one net, mailbox full, no DSN (Sisimai::Lhost::KDDI)
    [InlineData("lhost-postfix-01.eml", "soft")]        // x-unix; procmail error: a mailer error, not "No such user"
    [InlineData("lhost-x3-06.eml", "soft")]             // Status 5.1.1 over "552 5.2.2 Over quota" (Sisimai::SMTP::Status->prefer)
    [InlineData("rfc3464-01.eml", "soft")]              // Dovecot "Not enough disk space" under 5.1.1 (Sisimai::MDA)
    [InlineData("arf-18.eml", "complaint")]             // DMARC forensic report, ARF Feedback-Type: auth-failure
    [InlineData("arf-22.eml", "complaint")]             // Hotmail "complaint about message from", multipart/mixed, no ARF part
    [InlineData("arf-26.eml", "complaint")]             // Apple Mail X-Apple-Unsubscribe: true, not sent to our unsubscribe address
    [InlineData("lhost-x3-01.eml", "hard")]             // "SMTP:RCPT host …: 553 5.3.0 No such user here": refused at RCPT (Sisimai::SMTP::Command->find)
    [InlineData("lhost-yahoo-05.eml", "hard")]          // "[RCPT_TO]" marker, 5.2.1 User Unknown
    [InlineData("lhost-gmx-03.eml", "hard")]            // two recipients in one text, "User Unknown" and "Mailbox Full": each judged by its own lines
    [InlineData("lhost-qmail-17.eml", "hard")]          // qmail, the same
    [InlineData("lhost-opensmtpd-17.eml", "hard")]      // a DSN without diagnostics: each recipient's lines in the text
    [InlineData("lhost-powermta-01.eml", "hard")]       // PowerMTA X-PowerMTA-BounceCategory: bad-mailbox (Sisimai::Lhost::PowerMTA)
    [InlineData("lhost-mcafee-01.eml", "hard")]         // McAfee "550 Unknown user" (Sisimai::Lhost::McAfee)
    [InlineData("lhost-exchange2003-01.eml", "hard")]   // Exchange 2003 "(000C05A6) Unknown Recipient" (Sisimai::Lhost::Exchange2003)
    [InlineData("lhost-exchange2003-03.eml", "hard")]   // the same, recognised as a bounce by its own marker
    [InlineData("lhost-imailserver-01.eml", "hard")]    // IMail "Unknown user" (Sisimai::Lhost::IMailServer)
    [InlineData("lhost-sendgrid-03.eml", "soft")]       // DSN Action: expired is a failure (soft), not a delivery
    [InlineData("lhost-yahoo-07.eml", "hard")]          // a text bounce to an EZweb address, ">: User unknown" (Sisimai::Rhost::KDDI)
    [InlineData("lhost-sendmail-33.eml", "soft")]       // 5.7.1 blacklisted: this recipient's own diagnostic, not the transcript's "User unknown"
    public void AFamily_IsClassifiedAsSisimaiDoes(string file, string expected)
    {
        Assert.Equal(expected, Samples().Single(s => s.File == file).Expected);
        Assert.Equal(expected, Ours(file));
    }

    /// <summary>
    /// A ratchet at the measured level: 547 of 557 (98.2 %) with Sisimai's reason patterns, status table and status
    /// preference, SMTP command finder, ARF variants, per-recipient blocks of multi-recipient bounces, and its host (Rhost),
    /// mail-system (Lhost) and delivery-agent (MDA) readings ported (Inbound/Sisimai),
    /// up from 442 (79.4 %); no soft bounce Sisimai keeps do we suppress (down from 52). The goal of 98 % is
    /// reached; raise the first as the classifier improves, never lower it.
    /// </summary>
    private const int MinimumAgreeing = 547, MaxWronglySuppressing = 0;
}
