using System.Net;
using System.Text;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Operations;

/// <summary>
/// What a newcomer sees: the app started as ./run.sh starts it (Development, demo seed, Information logs) on an
/// empty database prints no failure and no stack on its first screen, and refused requests (404, 422, malformed
/// JSON) are one Information line each, so an operator finds the real errors.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FirstRunLogTests
{
    private const string ApiKey = "ne_first_run_key_0123456789";

    [Fact]
    public async Task AFreshStart_AndRefusedRequests_LogNoFailureNoWarningAndNoStack()
    {
        var connectionString = await TestDatabases.CreateEmptyAsync();
        await using var app = WorkerProcess.Start(connectionString, "all", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Default"] = "Information",
            ["Nurture__SeedDemo"] = "true",
            ["Nurture__BootstrapApiKey"] = ApiKey,
            ["Nurture__BootstrapAdmin__Email"] = "admin@nurture.test",
            ["Nurture__BootstrapAdmin__Password"] = "Admin-password-1",
        });
        await app.WaitUntilReadyAsync();
        using var api = app.Client();
        api.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/leads/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.PostAsync("/api/v1/leads", Json("""{"email":"not an address"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/leads", Json("""{"email":"""))).StatusCode);
        // The refusals are logged (one line each) before the process goes quiet.
        await Eventually.GetAsync(() => Task.FromResult(app.Lines), lines => lines.Count(l => l.Contains("refused with")) >= 3, 30, "three refusals logged");

        var lines = app.Lines;
        var bad = lines.Where(l => l.StartsWith("fail:") || l.StartsWith("crit:") || l.StartsWith("warn:") || l.TrimStart().StartsWith("at ")).ToList();
        Assert.True(bad.Count == 0, "the first screen shows:\n" + string.Join('\n', bad) + "\n--- whole output ---\n" + string.Join('\n', lines));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
