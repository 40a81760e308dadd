using System.Net;
using System.Text.RegularExpressions;

namespace NurtureEngine.Rendering;

/// <summary>
/// Derives the text/plain part from rendered HTML: block breaks kept, links as "text (url)". The
/// patterns that scan ahead for a closing tag run on the non-backtracking engine, so the cost is
/// linear in the HTML (an unclosed <c>&lt;script&gt;</c> repeated 16,000 times used to take seconds).
/// </summary>
public static partial class HtmlToText
{
    private const RegexOptions Linear = RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.NonBacktracking;
    [GeneratedRegex(@"<script\b.*?</script>|<style\b.*?</style>|<head\b.*?</head>", Linear)] private static partial Regex Invisible();
    [GeneratedRegex("<a\\b[^>]*href\\s*=\\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a>", Linear)] private static partial Regex Anchor();
    [GeneratedRegex(@"<(br|/p|/div|/h[1-6]|/li|/tr|/table)\b[^>]*>", Linear)] private static partial Regex BlockEnd();
    [GeneratedRegex(@"<li\b[^>]*>", Linear)] private static partial Regex ListItem();
    [GeneratedRegex(@"<(ul|ol)\b[^>]*>", Linear)] private static partial Regex ListStart();
    [GeneratedRegex(@"<[^>]+>", RegexOptions.NonBacktracking)] private static partial Regex Tag();
    [GeneratedRegex(@"[ \t]+")] private static partial Regex Spaces();
    [GeneratedRegex(@"\n\s*\n\s*\n+", RegexOptions.NonBacktracking)] private static partial Regex ManyBreaks();

    public static string Convert(string html)
    {
        var s = Invisible().Replace(html, "");
        s = Anchor().Replace(s, m =>
        {
            var text = Tag().Replace(m.Groups[2].Value, "").Trim();
            var url = m.Groups[1].Value;
            return string.IsNullOrEmpty(text) || text == url ? url : $"{text} ({url})";
        });
        s = s.Replace("\r", "").Replace("\n", " ");
        s = BlockEnd().Replace(s, "\n");
        s = ListStart().Replace(s, "\n");
        s = ListItem().Replace(s, "- ");
        s = Tag().Replace(s, "");
        s = WebUtility.HtmlDecode(s);
        s = Spaces().Replace(s, " ");
        s = string.Join('\n', s.Split('\n').Select(line => line.Trim()));
        return ManyBreaks().Replace(s, "\n\n").Trim() + "\n";
    }
}
