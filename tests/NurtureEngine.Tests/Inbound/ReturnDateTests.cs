using NurtureEngine.Inbound;

namespace NurtureEngine.Tests.Inbound;

/// <summary>The date an out-of-office reply says its writer is back, in the words real auto-replies use.</summary>
public sealed class ReturnDateTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);

    [Theory]
    [InlineData("I am out of the office until 1 December 2026 with limited access to email.", "2026-12-01")]
    [InlineData("I'm away and will be back on Monday, December 7th.", "2026-12-07")]
    [InlineData("Returning 2026-12-03. For urgent matters call Bob.", "2026-12-03")]
    [InlineData("Je suis absente jusqu'au 1er décembre.", "2026-12-01")]
    [InlineData("Ich bin bis zum 2. Dezember nicht im Büro.", "2026-12-02")]
    [InlineData("Zurück am 30.11., bis dahin keine E-Mails.", "2026-11-30")]
    [InlineData("Estaré fuera hasta el 4 de diciembre.", "2026-12-04")]
    [InlineData("Out until 12/15/2026, no access to email.", "2026-12-15")]
    [InlineData("On leave. I will return on Jan 5.", "2027-01-05")] // no year: the next 5 January
    public void AReturnDate_IsRead(string text, string expected) =>
        Assert.Equal(DateOnly.Parse(expected), ReturnDate.Find(text, Today));

    [Theory]
    [InlineData("I am out of the office with limited access to email.")] // no date
    [InlineData("Back on 3/12.")] // the 3rd of December or the 12th of March: not guessed
    [InlineData("I was away until 1 November 2026.")] // in the past
    [InlineData("Back on 1 December 2031.")] // years ahead: not a holiday
    [InlineData("Our office moved on 1 December 2026 to a new address.")] // a date, but no return
    [InlineData("Back on 31 February.")] // no such day
    public void NoReturnDate_IsFound_WhereNoneIsStated(string text) => Assert.Null(ReturnDate.Find(text, Today));

    [Fact]
    public void HostileText_IsReadInLinearTime()
    {
        var text = string.Concat(Enumerable.Repeat("until back 1 1 1 december until ", 20_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ReturnDate.Find(text, Today);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }
}
