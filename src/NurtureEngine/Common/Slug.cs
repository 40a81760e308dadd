using System.Text.RegularExpressions;

namespace NurtureEngine.Common;

/// <summary>Identifier rules from API.md "Identifiers".</summary>
public static partial class Slug
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")] private static partial Regex KeyRegex();
    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")] private static partial Regex NameRegex();

    public static bool IsKey(string? s) => s is not null && KeyRegex().IsMatch(s);
    public static bool IsName(string? s) => s is not null && NameRegex().IsMatch(s);
}
