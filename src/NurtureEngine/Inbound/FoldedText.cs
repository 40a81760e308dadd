namespace NurtureEngine.Inbound;

/// <summary>
/// A bounce's text as one line: every run of whitespace (a folded header field's CRLF and indent, a wrapped
/// diagnostic's line breaks, tabs) becomes one space, with none at either end. Sisimai matches its phrases on
/// text read this way, and so does every reading of a reply here.
/// </summary>
public static class FoldedText
{
    public static string Unfold(string? text) =>
        string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
