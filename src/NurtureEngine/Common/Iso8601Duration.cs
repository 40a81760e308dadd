using System.Xml;

namespace NurtureEngine.Common;

public static class Iso8601Duration
{
    /// <summary>Parses <c>P2D</c>, <c>PT5S</c>, <c>P1DT2H</c>; null when invalid, not positive or over <see cref="InputLimits.MaxDuration"/> (so a wait never overflows a date).</summary>
    public static TimeSpan? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !value.StartsWith('P')) return null;
        try
        {
            var span = XmlConvert.ToTimeSpan(value);
            return span > TimeSpan.Zero && span <= InputLimits.MaxDuration ? span : null;
        }
        catch (FormatException) { return null; }
        catch (OverflowException) { return null; }
    }

    /// <summary>True when the duration is whole days (measured in the lead's calendar, not in hours).</summary>
    public static bool IsCalendarDays(string value) => !value.Contains('T');
}
