using System.Globalization;
using System.Text.RegularExpressions;

namespace NurtureEngine.Inbound;

/// <summary>
/// The date an out-of-office reply says its writer is back: a date shortly after a cue such as "until",
/// "back on", "returning", "bis", "zurück am", "jusqu'au", "de retour le", "hasta" ("I am out of the office
/// until 1 December 2026", "back on Dec 7", "jusqu'au 1er décembre", "bis zum 1. Dezember", "returning
/// 2026-12-01", "until 03.12."). A date without a year is the next one on or after <c>today</c>; a date in the
/// past or more than a year ahead, or a numeric d/m that could be either way round, is no return date.
/// The regexes are non-backtracking: mail is hostile input, so the cost stays linear in its length.
/// </summary>
public static class ReturnDate
{
    private const int CueReach = 60;

    private static readonly Dictionary<string, int> Months = BuildMonths();

    private static readonly Regex Cue = new(
        @"\b(?:until|till|through|thru|back|return|returning|returns|available again|bis|zurück|jusqu'au|jusqu’au|jusqu'à|jusqu’à|retour|hasta|regreso)\b",
        RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private static readonly string MonthName = string.Join('|', Months.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape));

    private static readonly Regex Date = new(
        $@"\b(?:(?<y>\d{{4}})-(?<m>\d{{1,2}})-(?<d>\d{{1,2}})\b" +
        $@"|(?<d>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?(?<month>{MonthName})\b\.?(?:,?\s+(?<y>\d{{4}})\b)?" +
        $@"|(?<month>{MonthName})\b\.?\s+(?<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?<y>\d{{4}})\b)?" +
        @"|(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?:(?<y>\d{4})\b)?" + // 03.12. or 03.12.2026; the last dot ends it
        @"|(?<a>\d{1,2})/(?<b>\d{1,2})(?:/(?<y>\d{4}))?\b)",
        RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    public static DateOnly? Find(string? text, DateOnly today)
    {
        if (string.IsNullOrEmpty(text)) return null;
        foreach (Match cue in Cue.Matches(text))
        {
            var start = cue.Index + cue.Length;
            var window = text.Substring(start, Math.Min(CueReach, text.Length - start));
            if (Date.Match(window) is { Success: true } date && Read(date, today) is { } back) return back;
        }
        return null;
    }

    private static DateOnly? Read(Match match, DateOnly today)
    {
        int? month = match.Groups["month"].Success ? Months[Fold(match.Groups["month"].Value)]
            : match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : null;
        int? day = match.Groups["d"].Success ? int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture) : null;
        if (match.Groups["a"].Success)
        {
            var (a, b) = (int.Parse(match.Groups["a"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["b"].Value, CultureInfo.InvariantCulture));
            if (a > 12 == b > 12) return null; // 3/12: the 3rd of December or the 12th of March? Not guessed.
            (day, month) = a > 12 ? (a, b) : (b, a);
        }
        if (day is not { } d || month is not { } m) return null;
        var year = match.Groups["y"].Success ? int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture) : (int?)null;
        if (On(year ?? today.Year, m, d) is not { } date) return null;
        if (year is null && date < today) date = On(today.Year + 1, m, d) ?? date;
        return date >= today && date <= today.AddYears(1) ? date : null;
    }

    private static DateOnly? On(int year, int month, int day) =>
        year is >= 1 and <= 9998 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;

    private static string Fold(string month) => month.ToLowerInvariant();

    private static Dictionary<string, int> BuildMonths()
    {
        string[][] names =
        [
            ["january", "jan", "januar", "janvier", "enero"],
            ["february", "feb", "februar", "février", "fevrier", "febrero"],
            ["march", "mar", "märz", "maerz", "mars", "marzo"],
            ["april", "apr", "avril", "abril"],
            ["may", "mai", "mayo"],
            ["june", "jun", "juni", "juin", "junio"],
            ["july", "jul", "juli", "juillet", "julio"],
            ["august", "aug", "août", "aout", "agosto"],
            ["september", "sep", "sept", "septembre", "septiembre"],
            ["october", "oct", "oktober", "okt", "octobre", "octubre"],
            ["november", "nov", "novembre", "noviembre"],
            ["december", "dec", "dezember", "dez", "décembre", "decembre", "diciembre"],
        ];
        var months = new Dictionary<string, int>();
        for (var i = 0; i < names.Length; i++)
            foreach (var name in names[i]) months[name] = i + 1;
        return months;
    }
}
