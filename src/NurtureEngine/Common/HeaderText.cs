namespace NurtureEngine.Common;

/// <summary>
/// Text bound for one header field (a subject, a display name): every line break or other control
/// character, with the spaces around it, becomes one space. Rendered or configured text can then
/// never end the field and start one of its own (RFC 5322 §2.2: a header field is one line, folding aside).
/// </summary>
public static class HeaderText
{
    public static string OneLine(string s) =>
        string.Join(' ', s.Split(c => char.IsControl(c) || c is '\u2028' or '\u2029'));

    private static IEnumerable<string> Split(this string s, Func<char, bool> isBreak)
    {
        var start = 0;
        for (var i = 0; i <= s.Length; i++)
        {
            if (i < s.Length && !isBreak(s[i])) continue;
            var part = s[start..i].Trim();
            if (part.Length > 0) yield return part;
            start = i + 1;
        }
    }
}
