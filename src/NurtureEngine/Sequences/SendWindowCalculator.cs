using System.Globalization;

namespace NurtureEngine.Sequences;

/// <summary>
/// When an email step may send: the next opening of the sequence's send window in the lead's IANA
/// time zone (DST-correct: local times are converted through the zone's rules for that date), on a
/// day that is not one of the installation's holidays (dates in the lead's zone).
/// </summary>
public static class SendWindowCalculator
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>
    /// When the email may go and, if that is later than <paramref name="now"/>, why: <c>send window</c>,
    /// <c>holiday 2026-12-25</c>, or both.
    /// </summary>
    public static (DateTimeOffset At, string? Reason) NextSendTime(SendWindow? window, string? timeZone, DateTimeOffset now, IReadOnlyCollection<DateOnly> holidays)
    {
        var at = NextOpening(window, timeZone, now, holidays);
        if (at <= now) return (at, null);
        var windowOnly = NextOpening(window, timeZone, now);
        if (windowOnly == at) return (at, "send window");
        var zone = Zone(timeZone);
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        var skipped = holidays.Where(h => h >= first && h < last).Order().Select(h => h.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        var holiday = (skipped.Count == 1 ? "holiday " : "holidays ") + string.Join(", ", skipped);
        return (at, windowOnly > now ? $"send window and {holiday}" : holiday);
    }

    /// <summary><paramref name="now"/> when inside the window (and not on a holiday), else the start of the next opening.</summary>
    public static DateTimeOffset NextOpening(SendWindow? window, string? timeZone, DateTimeOffset now, IReadOnlyCollection<DateOnly>? holidays = null)
    {
        holidays ??= [];
        if (window is null && holidays.Count == 0) return now;
        var zone = Zone(timeZone);
        var from = Parse(window?.From) ?? TimeOnly.MinValue;
        var to = Parse(window?.To) ?? TimeOnly.MaxValue;
        var days = window?.Days is { Count: > 0 } d ? d : DayNames.ToList();
        var localNow = TimeZoneInfo.ConvertTime(now, zone);
        for (var offset = 0; offset <= 8 + holidays.Count; offset++)
        {
            var date = DateOnly.FromDateTime(localNow.DateTime).AddDays(offset);
            if (!days.Contains(DayNames[(int)date.DayOfWeek]) || holidays.Contains(date)) continue;
            var start = ToUtc(date.ToDateTime(from), zone);
            var end = ToUtc(date.ToDateTime(to), zone);
            if (now >= end) continue;
            return now >= start ? now : start;
        }
        return now;
    }

    public static TimeZoneInfo Zone(string? timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone ?? "UTC", out var z) ? z : TimeZoneInfo.Utc;

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
