using System.Net;
using System.Text.RegularExpressions;

namespace NurtureEngine.Tracking;

/// <summary>
/// Rewrites <c>&lt;a href="http(s)://..."&gt;</c> links to signed click-tracking URLs and returns the
/// original targets, which are stored with the message (the only place a click redirects to).
/// </summary>
public static partial class LinkTracker
{
    [GeneratedRegex("(<a\\b[^>]*?\\bhref\\s*=\\s*)([\"'])(.*?)\\2", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex AnchorHref();

    public static (string Html, List<string> Links) Rewrite(string html, Func<int, string> trackingUrl, Func<string, bool> skip)
    {
        var links = new List<string>();
        var rewritten = AnchorHref().Replace(html, m =>
        {
            var target = WebUtility.HtmlDecode(m.Groups[3].Value).Trim();
            if (!(target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) || skip(target))
                return m.Value;
            links.Add(target);
            return $"{m.Groups[1].Value}{m.Groups[2].Value}{WebUtility.HtmlEncode(trackingUrl(links.Count - 1))}{m.Groups[2].Value}";
        });
        return (rewritten, links);
    }
}
