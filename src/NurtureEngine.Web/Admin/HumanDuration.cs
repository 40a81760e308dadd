using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NurtureEngine.Common;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// Durations as the builder takes them: "3 days", "2 hours", "1 week 2 days", "90 min" as well as
/// ISO 8601 (P3D, PT2H). Stored as ISO 8601, shown as words.
/// </summary>
public static partial class HumanDuration
{
    public const string Hint = "like \"3 days\", \"2 hours\", \"30 minutes\" or P3D";

    /// <summary>The ISO 8601 form; null when the text is neither words nor ISO (blank stays null too).</summary>
    public static string? ToIso(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim();
        if (t.StartsWith('P') || t.StartsWith('p')) return Iso8601Duration.TryParse(t.ToUpperInvariant()) is null ? null : t.ToUpperInvariant();
        var words = t.ToLowerInvariant().Replace(",", " ").Replace(" and ", " ");
        if (!Whole().IsMatch(words)) return null;
        var parts = Part().Matches(words);
        long days = 0, hours = 0, minutes = 0, seconds = 0;
        foreach (Match m in parts)
        {
            if (!long.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000) return null;
            switch (m.Groups["unit"].Value[0])
            {
                case 'w': days += 7 * n; break;
                case 'd': days += n; break;
                case 'h': hours += n; break;
                case 'm': minutes += n; break;
                case 's': seconds += n; break;
            }
        }
        if (days + hours + minutes + seconds == 0) return null;
        var iso = new StringBuilder("P");
        if (days > 0) iso.Append(days).Append('D');
        if (hours + minutes + seconds > 0) iso.Append('T');
        if (hours > 0) iso.Append(hours).Append('H');
        if (minutes > 0) iso.Append(minutes).Append('M');
        if (seconds > 0) iso.Append(seconds).Append('S');
        return iso.ToString();
    }

    /// <summary>"P3D" as "3 days", "PT1H30M" as "1 hour 30 minutes"; anything else as it is.</summary>
    public static string? ToWords(string? iso)
    {
        if (string.IsNullOrWhiteSpace(iso) || Iso8601Duration.TryParse(iso) is not { } span) return iso;
        var words = new List<string>();
        void Add(long n, string unit) { if (n > 0) words.Add($"{n} {unit}{(n == 1 ? "" : "s")}"); }
        // Whole days stay days (a calendar measure); a time part reads in hours and minutes.
        var days = Iso8601Duration.IsCalendarDays(iso) ? (long)span.TotalDays : span.Days;
        if (days > 0 && days % 7 == 0 && Iso8601Duration.IsCalendarDays(iso)) Add(days / 7, "week");
        else Add(days, "day");
        if (!Iso8601Duration.IsCalendarDays(iso))
        {
            Add(span.Hours, "hour");
            Add(span.Minutes, "minute");
            Add(span.Seconds, "second");
        }
        return words.Count == 0 ? iso : string.Join(' ', words);
    }

    private const string Unit = @"(?<n>\d+)\s*(?<unit>weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b";

    [GeneratedRegex(Unit)]
    private static partial Regex Part();

    [GeneratedRegex(@"^\s*(" + Unit + @"\s*)+$")]
    private static partial Regex Whole();
}
