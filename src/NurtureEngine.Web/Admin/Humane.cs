using System.Globalization;

namespace NurtureEngine.Web.Admin;

/// <summary>Durations as people say them: "7 min", "3 h 20 min", "2 days 4 h".</summary>
public static class Humane
{
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s) return "—";
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(s)));
        string N(double v) => v.ToString("0", CultureInfo.InvariantCulture);
        if (t.TotalMinutes < 1) return $"{N(t.TotalSeconds)} s";
        if (t.TotalHours < 1) return $"{N(Math.Floor(t.TotalMinutes))} min";
        if (t.TotalDays < 1) return t.Minutes == 0 ? $"{t.Hours} h" : $"{t.Hours} h {t.Minutes} min";
        var days = (int)t.TotalDays;
        var unit = days == 1 ? "day" : "days";
        return t.Hours == 0 ? $"{days} {unit}" : $"{days} {unit} {t.Hours} h";
    }
}
