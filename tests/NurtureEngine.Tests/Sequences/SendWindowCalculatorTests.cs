using NurtureEngine.Sequences;

namespace NurtureEngine.Tests.Sequences;

public sealed class SendWindowCalculatorTests
{
    private static readonly SendWindow Weekdays9To17 = new() { Days = ["mon", "tue", "wed", "thu", "fri"], From = "09:00", To = "17:00" };

    [Fact]
    public void InsideTheWindow_SendsNow()
    {
        var now = DateTimeOffset.Parse("2026-11-23T10:30:00Z"); // Monday 10:30 in London
        Assert.Equal(now, SendWindowCalculator.NextOpening(Weekdays9To17, "Europe/London", now));
    }

    [Fact]
    public void FridayEvening_WaitsForMondayNineInTheLeadsZone()
    {
        var friday = DateTimeOffset.Parse("2026-11-27T23:00:00Z"); // Friday 18:00 in New York
        var opening = SendWindowCalculator.NextOpening(Weekdays9To17, "America/New_York", friday);
        Assert.Equal(DateTimeOffset.Parse("2026-11-30T14:00:00Z"), opening); // Monday 09:00 EST
    }

    [Fact]
    public void TheOpeningAfterADstChange_IsStillNineLocal()
    {
        // Europe/London leaves summer time on Sunday 2026-10-25: Friday 09:00 is 08:00Z, Monday 09:00 is 09:00Z.
        var fridayEvening = DateTimeOffset.Parse("2026-10-23T17:30:00Z");
        Assert.Equal(DateTimeOffset.Parse("2026-10-26T09:00:00Z"), SendWindowCalculator.NextOpening(Weekdays9To17, "Europe/London", fridayEvening));
        var fridayMorning = DateTimeOffset.Parse("2026-10-23T07:30:00Z");
        Assert.Equal(DateTimeOffset.Parse("2026-10-23T08:00:00Z"), SendWindowCalculator.NextOpening(Weekdays9To17, "Europe/London", fridayMorning));
    }

    [Fact]
    public void NoWindow_SendsAnyTime()
    {
        var now = DateTimeOffset.Parse("2026-11-29T03:00:00Z");
        Assert.Equal(now, SendWindowCalculator.NextOpening(null, "Europe/London", now));
    }

    [Fact]
    public void ALocalTimeSkippedByDst_MovesForwardPastTheGap()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var utc = SendWindowCalculator.ToUtc(new DateTime(2026, 3, 29, 1, 30, 0), zone); // 01:30 does not exist that day
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:00:00Z"), utc);
    }
}
