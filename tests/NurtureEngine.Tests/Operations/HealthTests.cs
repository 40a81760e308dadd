using System.Net;
using System.Net.Sockets;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Operations;

/// <summary>/health/live and /health/ready as a load balancer or orchestrator sees them.</summary>
[Collection(AppCollection.Name)]
public sealed class HealthTests
{
    [Fact]
    public async Task Ready_WhenDatabaseMigratedAndSmtpReachable()
    {
        await using var app = await NurtureApp.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
    }

    [Theory]
    [InlineData("worker", HttpStatusCode.ServiceUnavailable)]
    [InlineData("all", HttpStatusCode.ServiceUnavailable)]
    [InlineData("web", HttpStatusCode.OK)]
    public async Task AnUnreachableSmtpRelay_MakesSendingRolesNotReady_ButNotTheWebRole(string role, HttpStatusCode expected)
    {
        await using var app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = role, ["Smtp:Port"] = ClosedPort().ToString() });

        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/live")).StatusCode);
        Assert.Equal(expected, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
