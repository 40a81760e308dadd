using AngleSharp.Html.Parser;
using NurtureEngine.Rendering;

namespace NurtureEngine.Templates;

public sealed record LintFinding(string Rule, string Message);

/// <summary>
/// Checks a composed email (as a lead would get it) for what costs deliverability or readers:
/// images without alt text, an email that is only images, no readable text part, too many links,
/// links that are not https, a subject that mobile inboxes cut off. Empty when nothing is wrong.
/// </summary>
public static class EmailLinter
{
    public const int MaxSubjectChars = 60;
    public const int MaxLinks = 15;
    /// <summary>Fewer words than this beside an image reads as an image-only email to spam filters.</summary>
    public const int MinWordsWithImages = 40;
    private const int MinTextPartWords = 5;

    public static IReadOnlyList<LintFinding> Check(ComposedEmail email)
    {
        var findings = new List<LintFinding>();
        var doc = new HtmlParser().ParseDocument(email.Html);
        var images = doc.Images.Where(i => !IsTrackingPixel(i)).ToList();
        foreach (var img in images.Where(i => string.IsNullOrWhiteSpace(i.GetAttribute("alt"))))
            findings.Add(new("missing-alt", $"The image {Shorten(img.GetAttribute("src"))} has no alt text: readers with images off or a screen reader see nothing."));

        var words = CountWords(doc.Body?.TextContent ?? "");
        if (images.Count > 0 && words < MinWordsWithImages)
            findings.Add(new("image-only", $"Mostly images ({images.Count}) and only {words} words of text: spam filters distrust image-only email; add text."));

        var textBeforeFooter = email.Text.Split("\n--\n")[0];
        if (CountWords(textBeforeFooter) < MinTextPartWords)
            findings.Add(new("no-text-part", "The plain-text part is empty: write a text body or put text in the HTML."));

        if (email.Links.Count > MaxLinks)
            findings.Add(new("too-many-links", $"{email.Links.Count} links (more than {MaxLinks}): many links look like spam and dilute the call to action."));
        foreach (var link in email.Links.Distinct().Where(l => l.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
            findings.Add(new("not-https", $"The link {Shorten(link)} is not https."));
        foreach (var img in images.Select(i => i.GetAttribute("src") ?? "").Where(s => s.StartsWith("http://", StringComparison.OrdinalIgnoreCase)).Distinct())
            findings.Add(new("not-https", $"The image {Shorten(img)} is not loaded over https."));

        if (email.Subject.Length > MaxSubjectChars)
            findings.Add(new("long-subject", $"The subject has {email.Subject.Length} characters; mobile inboxes show about {MaxSubjectChars}."));
        if (string.IsNullOrWhiteSpace(email.Subject))
            findings.Add(new("empty-subject", "The subject is empty."));
        return findings;
    }

    private static bool IsTrackingPixel(AngleSharp.Html.Dom.IHtmlImageElement img) =>
        img.GetAttribute("width") == "1" && img.GetAttribute("height") == "1";

    private static int CountWords(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Count(w => w.Any(char.IsLetterOrDigit));

    private static string Shorten(string? s) => s is null ? "(no src)" : s.Length <= 60 ? s : s[..57] + "...";
}
