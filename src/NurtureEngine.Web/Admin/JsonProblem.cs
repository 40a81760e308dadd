using System.Text.Json;

namespace NurtureEngine.Web.Admin;

/// <summary>A JSON parse error in words a person can act on, with the place, instead of the parser's own message.</summary>
public static class JsonProblem
{
    public static string Describe(JsonException e)
    {
        var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" (in {e.Path.TrimStart('$', '.')})";
        var what = e.InnerException is InvalidOperationException or FormatException || e.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "a value has the wrong kind (a number where text belongs, or the reverse)"
            : "the text is not valid JSON: check for a missing or extra comma, quote or bracket";
        return $"{what}{where}{field}.";
    }
}
