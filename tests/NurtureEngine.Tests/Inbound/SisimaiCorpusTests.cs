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
    [InlineData("lhost-office365-13.eml", "hard")]      // Office 365 NDR, 5.1.10
    [InlineData("lhost-domino-01.eml", "hard")]         // IBM Domino "not listed in Domino Directory", no decisive code
    [InlineData("lhost-domino-02.eml", "hard")]         // IBM Domino, the same in Japanese (ISO-2022-JP)
    [InlineData("lhost-notes-03.eml", "hard")]          // Lotus Notes "not listed in public Name & Address Book"
    [InlineData("lhost-notes-02.eml", "hard")]          // Lotus Notes, the same in Japanese, no charset declared
    [InlineData("lhost-messagingserver-05.eml", "hard")] // Oracle Communications Messaging Server, host unknown 5.4.4
    [InlineData("lhost-opensmtpd-05.eml", "soft")]      // OpenSMTPD "Envelope expired" after retries
    [InlineData("lhost-opensmtpd-06.eml", "soft")]      // OpenSMTPD expired
    public void AFamily_IsClassifiedAsSisimaiDoes(string file, string expected)
    {
        Assert.Equal(expected, Samples().Single(s => s.File == file).Expected);
        Assert.Equal(expected, Ours(file));
    }

    /// <summary>
    /// A ratchet at the measured level: 484 of 557 (86.9 %) with Sisimai's reason patterns and status table ported
    /// (Inbound/Sisimai), up from 442 (79.4 %); 9 soft bounces Sisimai keeps that we still suppress (down from 52), all
    /// host-specific readings (Sisimai::Rhost GoDaddy/Spectrum, ReceivingSES, an X-Unix procmail error, a 5.1.1 status
    /// over a "5.2.2 over quota" text). The goal is 98 % with zero: NOT reached yet; raise these as the
    /// classifier improves, never lower them.
    /// </summary>
    private const int MinimumAgreeing = 484, MaxWronglySuppressing = 9;
}
