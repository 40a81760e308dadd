using System.Text.RegularExpressions;

namespace NurtureEngine.Inbound;

/// <summary>
/// A bounce text without a DSN part that lists several failed recipients, each with its own error
/// ("&lt;a@x&gt;: … 550 5.1.1 User unknown", "&lt;b@x&gt;: … 552 5.2.2 Mailbox full"): split into one block per recipient,
/// so each is judged by its own words (as Sisimai's decoders do), not by the first reason anywhere in the text.
/// </summary>
public static partial class BounceBlocks
{
    [GeneratedRegex(@"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")]
    private static partial Regex Address();

    public sealed record Block(string Recipient, string Text);

    /// <summary>The blocks, in order, when the text names two or more of <paramref name="recipients"/>; else empty.</summary>
    public static List<Block> Split(string text, IReadOnlyCollection<string> recipients)
    {
        var known = new HashSet<string>(recipients, StringComparer.OrdinalIgnoreCase);
        var blocks = new List<(string Recipient, List<string> Lines)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in text.Split('\n'))
        {
            // A block starts where a recipient is first named; a later mention (a transcript, the quoted original) stays in the current one.
            var first = Address().Matches(line).Select(m => m.Value.TrimEnd('.')).FirstOrDefault(known.Contains);
            if (first is not null && seen.Add(first)) blocks.Add((first, []));
            if (blocks.Count > 0) blocks[^1].Lines.Add(line);
        }
        return blocks.Count >= 2 ? blocks.Select(b => new Block(b.Recipient, string.Join("\n", b.Lines))).ToList() : [];
    }
}
