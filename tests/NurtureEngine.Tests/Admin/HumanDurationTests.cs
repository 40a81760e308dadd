using NurtureEngine.Web.Admin;

namespace NurtureEngine.Tests.Admin;

/// <summary>The sequence builder takes waits in words as well as ISO 8601, and shows stored ISO as words.</summary>
public sealed class HumanDurationTests
{
    [Theory]
    [InlineData("3 days", "P3D")]
    [InlineData("1 day", "P1D")]
    [InlineData("2 hours", "PT2H")]
    [InlineData("90 min", "PT90M")]
    [InlineData("1 week 2 days", "P9D")]
    [InlineData("1 day, 4 hours and 30 minutes", "P1DT4H30M")]
    [InlineData("3D", "P3D")]
    [InlineData("P3D", "P3D")]
    [InlineData("pt4h", "PT4H")]
    public void Words_and_iso_become_iso(string typed, string iso) => Assert.Equal(iso, HumanDuration.ToIso(typed));

    [Theory]
    [InlineData("3 dayz")]
    [InlineData("soon")]
    [InlineData("0 days")]
    [InlineData("days 3")]
    [InlineData("P3X")]
    [InlineData("3 days tomorrow")]
    public void Anything_else_is_refused(string typed) => Assert.Null(HumanDuration.ToIso(typed));

    [Theory]
    [InlineData("P3D", "3 days")]
    [InlineData("P14D", "2 weeks")]
    [InlineData("PT1H", "1 hour")]
    [InlineData("PT1H30M", "1 hour 30 minutes")]
    [InlineData("P1DT2H", "1 day 2 hours")]
    public void Iso_reads_as_words(string iso, string words) => Assert.Equal(words, HumanDuration.ToWords(iso));

    [Theory]
    [InlineData(null, "—")]
    [InlineData(42.0, "42 s")]
    [InlineData(420.0, "7 min")]
    [InlineData(3 * 3600 + 20 * 60.0, "3 h 20 min")]
    [InlineData(2 * 86400 + 4 * 3600.0, "2 days 4 h")]
    public void Report_durations_read_as_words(double? seconds, string text) => Assert.Equal(text, Humane.Duration(seconds));
}
