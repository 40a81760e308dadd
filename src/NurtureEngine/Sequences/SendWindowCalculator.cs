using System.Globalization;

namespace NurtureEngine.Sequences;

/// <summary>
/// When an email step may send: the next opening of the sequence's send window in the lead's IANA
/// time zone (DST-correct: local times are converted through the zone's rules for that date).
/// </summary>
public static class SendWindowCalculator
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary><paramref name="now"/> when inside the window, else the start of the next opening.</summary>
    public static DateTimeOffset NextOpening(SendWindow? window, string? timeZone, DateTimeOffset now)
    {
        if (window is null) return now;
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone ?? "UTC", out var z) ? z : TimeZoneInfo.Utc;
        var from = Parse(window.From) ?? TimeOnly.MinValue;
        var to = Parse(window.To) ?? TimeOnly.MaxValue;
        var days = window.Days is { Count: > 0 } d ? d : DayNames.ToList();
        var localNow = TimeZoneInfo.ConvertTime(now, zone);
        for (var offset = 0; offset <= 8; offset++)
        {
            var date = DateOnly.FromDateTime(localNow.DateTime).AddDays(offset);
            if (!days.Contains(DayNames[(int)date.DayOfWeek])) continue;
            var start = ToUtc(date.ToDateTime(from), zone);
            var end = ToUtc(date.ToDateTime(to), zone);
            if (now >= end) continue;
            return now >= start ? now : start;
        }
        return now;
    }

    private static TimeOnly? Parse(string? hhmm) =>
        TimeOnly.TryParseExact(hhmm, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    /// <summary>Local wall time to UTC; a time skipped by a DST jump moves forward by the gap.</summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
