using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace NurtureEngine.Rendering;

/// <summary>
/// Makes composed HTML fit for email clients that drop &lt;style&gt; (Gmail on some accounts, Outlook):
/// every rule that can be inlined is copied into the elements' style attributes with PreMailer.Net.
/// The &lt;style&gt; element stays, so @media rules (375 px stacking, dark mode) still reach the
/// clients that honour them. HTML without a stylesheet is returned as it is.
/// <para>
/// PreMailer parses the whole document and matches every selector: about 3 ms an email, more than the rest of
/// rendering and sending together. But the emails of one template differ per lead in text and links, not in
/// structure, and selectors see only structure (tags, ids, classes, other attributes, the stylesheet). So the
/// attributes PreMailer sets are learnt once per structure and then copied onto each email's tags in one pass.
/// A structure whose tags cannot be lined up with PreMailer's output is inlined by PreMailer every time.
/// </para>
/// </summary>
public static partial class EmailInliner
{
    public static string Inline(string html)
    {
        if (!html.Contains("<style", StringComparison.OrdinalIgnoreCase)) return html;
        var tags = StartTags(html);
        var key = StructureKey(html, tags);
        if (!Learnt.TryGetValue(key, out var changes))
        {
            changes = Learn(tags, StartTags(PreMail(html)));
            if (Learnt.Count >= MaxStructures) Learnt.Clear();
            Learnt[key] = changes;
        }
        return changes is null ? PreMail(html) : Apply(html, tags, changes);
    }

    private const int MaxStructures = 2_000;
    private static readonly ConcurrentDictionary<string, Dictionary<int, Attr[]>?> Learnt = new(StringComparer.Ordinal);

    private static string PreMail(string html) =>
        PreMailer.Net.PreMailer.MoveCssInline(html, removeStyleElements: false, stripIdAndClassAttributes: false, removeComments: false, preserveMediaQueries: true).Html;

    /// <summary>Attribute values that differ per lead and that no email stylesheet selects on.</summary>
    private static readonly HashSet<string> PerLead = new(StringComparer.OrdinalIgnoreCase) { "href", "src", "alt", "title", "value", "content", "action" };

    private sealed record Attr(string Name, string Raw);

    private sealed record Tag(int Start, int Length, string Name, List<Attr> Attributes, bool SelfClosing);

    [GeneratedRegex("""<(?<name>[a-zA-Z][a-zA-Z0-9:-]*)(?<attrs>(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(?<self>/?)>""", RegexOptions.CultureInvariant)]
    private static partial Regex StartTag();

    [GeneratedRegex("""(?<name>[^\s"'>/=]+)(?:\s*=\s*(?<value>"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""", RegexOptions.CultureInvariant)]
    private static partial Regex Attribute();

    [GeneratedRegex("<style[^>]*>(?<css>.*?)</style>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex StyleElement();

    private static List<Tag> StartTags(string html)
    {
        var tags = new List<Tag>();
        foreach (Match m in StartTag().Matches(html))
        {
            var attributes = new List<Attr>();
            foreach (Match a in Attribute().Matches(m.Groups["attrs"].Value))
                attributes.Add(new Attr(a.Groups["name"].Value.ToLowerInvariant(), a.Groups["value"].Value));
            tags.Add(new Tag(m.Index, m.Length, m.Groups["name"].Value.ToLowerInvariant(), attributes, m.Groups["self"].Length > 0));
        }
        return tags;
    }

    /// <summary>What selectors can see: every tag with its attributes (per-lead values left out) and the stylesheets.</summary>
    private static string StructureKey(string html, List<Tag> tags)
    {
        var s = new StringBuilder(html.Length / 2);
        foreach (var tag in tags)
        {
            s.Append('<').Append(tag.Name);
            foreach (var a in tag.Attributes)
            {
                s.Append(' ').Append(a.Name);
                if (!PerLead.Contains(a.Name)) s.Append('=').Append(a.Raw);
            }
            s.Append('>');
        }
        foreach (Match m in StyleElement().Matches(html)) s.Append(m.Groups["css"].Value);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s.ToString())));
    }

    /// <summary>
    /// Lines up the email's tags with PreMailer's (which only adds tags a parser implies, such as tbody) and keeps, per
    /// tag, the attributes PreMailer added or changed. Null when the tags cannot be lined up.
    /// </summary>
    private static Dictionary<int, Attr[]>? Learn(List<Tag> mine, List<Tag> premailed)
    {
        var changes = new Dictionary<int, Attr[]>();
        var j = 0;
        for (var i = 0; i < mine.Count; i++)
        {
            while (j < premailed.Count && premailed[j].Name != mine[i].Name) j++;
            if (j == premailed.Count) return null;
            var before = mine[i].Attributes.ToDictionary(a => a.Name, a => Unquote(a.Raw), StringComparer.Ordinal);
            var changed = premailed[j].Attributes
                .Where(a => !PerLead.Contains(a.Name) && (!before.TryGetValue(a.Name, out var old) || old != Unquote(a.Raw)))
                .ToArray();
            if (changed.Length > 0) changes[i] = changed;
            j++;
        }
        return changes;
    }

    private static string Unquote(string raw) => raw.Length >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[^1] == raw[0] ? raw[1..^1] : raw;

    /// <summary>Sets the learnt attributes on the email's own tags; everything else stays byte for byte.</summary>
    private static string Apply(string html, List<Tag> tags, Dictionary<int, Attr[]> changes)
    {
        if (changes.Count == 0) return html;
        var s = new StringBuilder(html.Length + changes.Count * 64);
        var at = 0;
        foreach (var (index, set) in changes.OrderBy(c => c.Key))
        {
            var tag = tags[index];
            s.Append(html, at, tag.Start - at);
            s.Append('<').Append(tag.Name);
            var names = set.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var a in tag.Attributes.Where(a => !names.Contains(a.Name)))
            {
                s.Append(' ').Append(a.Name);
                if (a.Raw.Length > 0) s.Append('=').Append(a.Raw);
            }
            foreach (var a in set) s.Append(' ').Append(a.Name).Append("=\"").Append(Unquote(a.Raw).Replace("\"", "&quot;")).Append('"');
            s.Append(tag.SelfClosing ? " />" : ">");
            at = tag.Start + tag.Length;
        }
        s.Append(html, at, html.Length - at);
        return s.ToString();
    }
}
