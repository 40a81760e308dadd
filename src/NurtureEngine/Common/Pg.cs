namespace NurtureEngine.Common;

public static class Pg
{
    /// <summary>Truncates to PostgreSQL's timestamptz precision, so a tracked value equals what is stored.</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset t) => new(t.Ticks - t.Ticks % 10, t.Offset);
}
