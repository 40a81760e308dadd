using NurtureEngine.Tracking;

namespace NurtureEngine.Tests.Inbound;

public sealed class MachineOpenDetectorTests
{
    private static readonly DateTimeOffset Sent = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private const string Thunderbird = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0";

    [Fact]
    public void AnOpenWithinSecondsOfSending_IsAMachine() =>
        Assert.NotNull(MachineOpenDetector.Reason(Thunderbird, Sent, Sent.AddSeconds(2), new OpenTrackingOptions()));

    [Fact]
    public void AnOpenByAPersonLater_IsNotAMachine() =>
        Assert.Null(MachineOpenDetector.Reason(Thunderbird, Sent, Sent.AddMinutes(3), new OpenTrackingOptions()));

    [Theory]
    [InlineData("Mozilla/5.0")]
    [InlineData("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)")]
    [InlineData("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html")]
    [InlineData("")]
    public void KnownPrefetchersAndProxies_AreMachines(string agent) =>
        Assert.NotNull(MachineOpenDetector.Reason(agent, Sent, Sent.AddHours(1), new OpenTrackingOptions()));
}
