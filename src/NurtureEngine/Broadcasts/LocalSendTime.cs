namespace NurtureEngine.Broadcasts;

/// <summary>
/// <c>localTime</c>: a broadcast goes out at its send time's wall clock (the date and time as written,
/// its offset ignored) in each lead's own zone. The first zone to reach it is UTC+14, so sending starts then.
/// </summary>
public static class LocalSendTime
{
    private static readonly TimeSpan EarliestOffset = TimeSpan.FromHours(14);

    public static DateTime WallClock(DateTimeOffset sendAt) => DateTime.SpecifyKind(sendAt.DateTime, DateTimeKind.Unspecified);

    public static DateTimeOffset EarliestStart(DateTimeOffset sendAt) => new DateTimeOffset(WallClock(sendAt), TimeSpan.Zero) - EarliestOffset;
}
