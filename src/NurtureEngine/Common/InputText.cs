using System.Text.Json;
using System.Text.Json.Nodes;

namespace NurtureEngine.Common;

/// <summary>
/// Text PostgreSQL cannot store (NUL) or that is not Unicode (an unpaired surrogate) is refused once,
/// where input enters: query string, JSON body, form field, CSV cell. It never reaches the database.
/// </summary>
public static class InputText
{
    /// <summary>Why the text cannot be accepted, or null.</summary>
    public static string? Problem(string? s)
    {
        if (s is null) return null;
        if (s.Length > InputLimits.MaxTextChars) return $"must be at most {InputLimits.MaxTextChars} characters";
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\0') return "must not contain NUL characters";
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return "must not contain unpaired surrogates (not valid Unicode)";
        }
        return null;
    }

    /// <summary>The text with NUL and unpaired surrogates replaced by U+FFFD: for mail we must keep, not refuse.</summary>
    public static string Scrub(string s)
    {
        if (s.IndexOf('\0') < 0 && !s.Any(char.IsSurrogate)) return s;
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) { i++; continue; }
            if (chars[i] == '\0' || char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    /// <summary>
    /// The first problem in a JSON tree (a walk with its own stack, so depth costs no call stack):
    /// bad text in a name or string, a string over the limit, an array too long, a <c>null</c> list
    /// item, a number outside double range. Returns the field path (<c>steps[3].if.of[0]</c>) and the error.
    /// </summary>
    public static (string Field, string Error)? FindProblem(JsonNode? root, string rootPath = "")
    {
        var stack = new Stack<(JsonNode? Node, string Path)>();
        stack.Push((root, rootPath));
        while (stack.Count > 0)
        {
            var (node, path) = stack.Pop();
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, child) in o)
                    {
                        var childPath = path.Length == 0 ? name : $"{path}.{name}";
                        if (Problem(name) is { } bad) return (childPath, "the name " + bad);
                        stack.Push((child, childPath));
                    }
                    break;
                case JsonArray a:
                    if (a.Count > InputLimits.MaxArrayItems) return (Name(path), $"at most {InputLimits.MaxArrayItems} items");
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (a[i] is null) return ($"{path}[{i}]", "must not be null");
                        stack.Push((a[i], $"{path}[{i}]"));
                    }
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    string text;
                    try { text = v.GetValue<string>(); }
                    catch (InvalidOperationException) { return (Name(path), "must not contain unpaired surrogates (not valid Unicode)"); }
                    if (Problem(text) is { } error) return (Name(path), error);
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                    if (!double.TryParse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                        return (Name(path), "is a number out of range");
                    break;
            }
        }
        return null;
    }

    private static string Name(string path) => path.Length == 0 ? "body" : path;
}
