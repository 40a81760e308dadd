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
    public void AFamily_IsClassifiedAsSisimaiDoes(string file, string expected)
    {
        Assert.Equal(expected, Samples().Single(s => s.File == file).Expected);
        Assert.Equal(expected, Ours(file));
    }

    /// <summary>
    /// A ratchet at the measured baseline (442 of 557, 79.4 %; 52 soft bounces Sisimai keeps, mostly its
    /// host-specific "filtered"/"suspend"/"rejected" readings of "550 Unknown user" and 5.2.1, that we
    /// suppress). The goal is 98 % with zero: NOT reached yet; raise these as the classifier
    /// improves, never lower them.
    /// </summary>
    private const int MinimumAgreeing = 442, MaxWronglySuppressing = 52;
}
