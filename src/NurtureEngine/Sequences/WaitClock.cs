namespace NurtureEngine.Sequences;

/// <summary>When a wait step ends.</summary>
public static class WaitClock
{
    /// <summary>Whole-day waits keep the lead's local time of day across DST; others are exact durations.</summary>
    public static DateTimeOffset End(string duration, string timeZone, DateTimeOffset now)
    {
        var span = Common.Iso8601Duration.TryParse(duration)!.Value;
        if (!Common.Iso8601Duration.IsCalendarDays(duration)) return now + span;
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var z) ? z : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime.AddDays(span.TotalDays);
        return SendWindowCalculator.ToUtc(local, zone);
    }
}
