using NurtureEngine.Rendering;
using NurtureEngine.Templates;

namespace NurtureEngine.Tests.Rendering;

public sealed class EmailLinterTests
{
    private const string Words = "Thanks for signing up. Here is a short guide that shows how teams like yours send the right email at the right moment, with a welcome sequence and a follow-up that goes out in each lead's own time zone, every single time, without anyone needing to remember it.";

    private static IReadOnlyList<string> Rules(string subject, string html, string? text = null, List<string>? links = null) =>
        EmailLinter.Check(new ComposedEmail(subject, html, text ?? HtmlToText.Convert(html), links ?? [])).Select(f => f.Rule).ToList();

    [Fact]
    public void AGoodEmail_HasNoFindings() =>
        Assert.Empty(Rules("Welcome, Ada", $"<p>{Words}</p><img src=\"https://x.example/a.png\" alt=\"Our team\">", links: ["https://x.example/"]));

    [Fact]
    public void EachProblem_IsNamed()
    {
        Assert.Contains("missing-alt", Rules("Hi", $"<p>{Words}</p><img src=\"https://x.example/a.png\">"));
        Assert.Contains("image-only", Rules("Hi", "<img src=\"https://x.example/a.png\" alt=\"Sale\"><p>Buy now</p>"));
        Assert.Contains("no-text-part", Rules("Hi", "<p></p>", text: "\n\n--\nAcme, 1 Street\nUnsubscribe: https://u\n"));
        Assert.Contains("too-many-links", Rules("Hi", $"<p>{Words}</p>", links: Enumerable.Range(0, 16).Select(i => $"https://x.example/{i}").ToList()));
        Assert.Contains("not-https", Rules("Hi", $"<p>{Words}</p>", links: ["http://x.example/"]));
        Assert.Contains("not-https", Rules("Hi", $"<p>{Words}</p><img src=\"http://x.example/a.png\" alt=\"A\">"));
        Assert.Contains("long-subject", Rules(new string('a', 61), $"<p>{Words}</p>"));
    }

    [Fact]
    public void TheOpenPixel_NeedsNoAltText() =>
        Assert.DoesNotContain("missing-alt", Rules("Hi", $"<p>{Words}</p><img src=\"https://t/o/x\" width=\"1\" height=\"1\" alt=\"\">"));

    [Fact]
    public void SpamAssassinsReport_IsRead()
    {
        var report = SpamAssassinCheck.Parse("""
            Content analysis details:   (2.6 points, 5.0 required)

             pts rule name              description
            ---- ---------------------- --------------------------------------------------
             0.0 NO_RELAYS              Informational: message was not relayed via SMTP
             2.5 MIME_HTML_ONLY         BODY: Message only has text/html MIME parts
                                        and more
             0.1 MISSING_MID            Missing Message-Id: header

            """)!;
        Assert.Equal(2.6, report.Score);
        Assert.Equal(5.0, report.Required);
        Assert.Equal(["NO_RELAYS", "MIME_HTML_ONLY", "MISSING_MID"], report.Rules.Select(r => r.Name));
        Assert.True(SpamAssassinCheck.IsConstructionRule("MIME_HTML_ONLY"));
        Assert.False(SpamAssassinCheck.IsConstructionRule("NO_RELAYS"));
    }
}
