using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NurtureEngine.Automation;

/// <summary>
/// The <c>where</c> of scoring rules and event conditions: every key's value must match its glob
/// (<c>*</c> any run of characters, case ignored). A key is looked up in the event's properties, then in
/// the row's own data (a form submission's <c>form</c>). <see cref="Segments.ConditionSql"/> writes the same
/// test as <c>ILIKE</c> on <c>data -&gt; 'properties'</c>.
/// </summary>
public static class PropertyFilter
{
    public static bool Matches(IReadOnlyDictionary<string, string>? where, JsonObject? properties, JsonObject? data = null)
    {
        if (where is null || where.Count == 0) return true;
        foreach (var (key, glob) in where)
        {
            var value = Text(properties?[key]) ?? Text(data?[key]);
            if (value is null || !Regex.IsMatch(value, Pattern(glob), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline,
                    TimeSpan.FromSeconds(1))) return false;
        }
        return true;
    }

    public static bool Matches(IReadOnlyDictionary<string, string>? where, string dataJson)
    {
        if (where is null || where.Count == 0) return true;
        var data = JsonNode.Parse(dataJson) as JsonObject;
        return Matches(where, data?["properties"] as JsonObject, data);
    }

    public static void Validate(IReadOnlyDictionary<string, string>? where, string at, Common.Errors errors)
    {
        if (where is null) return;
        if (where.Count > 20) errors.Add(at, "at most 20 properties");
        foreach (var (key, glob) in where)
        {
            if (!Common.Slug.IsName(key) && !System.Text.RegularExpressions.Regex.IsMatch(key, "^[A-Za-z][A-Za-z0-9_]{0,63}$")) errors.Add($"{at}.{key}", "is not a property name");
            if (glob is null || glob.Length > 500) errors.Add($"{at}.{key}", "must be a text pattern of at most 500 characters (* matches anything)");
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;

    private static string Pattern(string glob) => "^" + string.Join(".*", glob.Split('*').Select(Regex.Escape)) + "$";

    /// <summary>The glob as an <c>ILIKE</c> pattern (with <c>\</c> escaping <c>%</c>, <c>_</c> and itself).</summary>
    public static string LikePattern(string glob)
    {
        var sb = new StringBuilder();
        foreach (var c in glob)
            sb.Append(c switch { '*' => "%", '%' => "\\%", '_' => "\\_", '\\' => "\\\\", _ => c.ToString() });
        return sb.ToString();
    }
}
