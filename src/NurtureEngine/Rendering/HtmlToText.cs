using System.Net;
using System.Text.RegularExpressions;

namespace NurtureEngine.Rendering;

/// <summary>
/// Derives the text/plain part from rendered HTML so it reads like a written email: a blank line
/// between paragraphs, headings and lists, each table cell (a visual editor's column) on its own
/// line, a divider as a line of dashes, images by their alt text ("[alt]"), links as
/// "text (url)". The patterns that scan ahead for a closing tag run on the non-backtracking
/// engine, so the cost is linear in the HTML (an unclosed <c>&lt;script&gt;</c> repeated 16,000 times used to take seconds).
/// </summary>
public static partial class HtmlToText
{
    private const RegexOptions Linear = RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.NonBacktracking;
    [GeneratedRegex(@"<script\b.*?</script>|<style\b.*?</style>|<head\b.*?</head>", Linear)] private static partial Regex Invisible();
    [GeneratedRegex("<a\\b[^>]*href\\s*=\\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a>", Linear)] private static partial Regex Anchor();
    [GeneratedRegex(@"<img\b[^>]*>", Linear)] private static partial Regex Image();
    [GeneratedRegex("\\balt\\s*=\\s*(\"([^\"]*)\"|'([^']*)')", RegexOptions.IgnoreCase)] private static partial Regex Alt();
    [GeneratedRegex(@"<hr\b[^>]*>", Linear)] private static partial Regex Divider();
    [GeneratedRegex(@"<(/p|/h[1-6]|/ul|/ol|/table|/blockquote)\b[^>]*>", Linear)] private static partial Regex ParagraphEnd();
    [GeneratedRegex(@"<(br|p|h[1-6]|div|blockquote|table|/div|/li|/tr|/td|/th)\b[^>]*>", Linear)] private static partial Regex LineBreak();
    [GeneratedRegex(@"<li\b[^>]*>", Linear)] private static partial Regex ListItem();
    [GeneratedRegex(@"<(ul|ol)\b[^>]*>", Linear)] private static partial Regex ListStart();
    [GeneratedRegex(@"<[^>]+>", RegexOptions.NonBacktracking)] private static partial Regex Tag();
    [GeneratedRegex(@"[ \t]+")] private static partial Regex Spaces();
    [GeneratedRegex(@"\n\s*\n\s*\n+", RegexOptions.NonBacktracking)] private static partial Regex ManyBreaks();

    public static string Convert(string html)
    {
        var s = Invisible().Replace(html, "");
        s = Image().Replace(s, m => Alt().Match(m.Value) is { Success: true } alt && (alt.Groups[2].Value + alt.Groups[3].Value).Trim() is { Length: > 0 } text
            ? $"[{text}]" : "");
        s = Anchor().Replace(s, m =>
        {
            var text = Tag().Replace(m.Groups[2].Value, "").Trim();
            var url = m.Groups[1].Value;
            return string.IsNullOrEmpty(text) || text == url ? url : $"{text} ({url})";
        });
        s = s.Replace("\r", "").Replace("\n", " ");
        s = Divider().Replace(s, "\n\n----------\n\n");
        s = ParagraphEnd().Replace(s, "\n\n");
        s = LineBreak().Replace(s, "\n");
        s = ListStart().Replace(s, "\n");
        s = ListItem().Replace(s, "- ");
        s = Tag().Replace(s, "");
        s = WebUtility.HtmlDecode(s);
        s = Spaces().Replace(s, " ");
        s = string.Join('\n', s.Split('\n').Select(line => line.Trim()));
        return ManyBreaks().Replace(s, "\n\n").Trim() + "\n";
    }
}
