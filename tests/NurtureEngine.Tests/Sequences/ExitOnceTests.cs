using System.Net.Http.Json;
using NurtureEngine.Tests.Infrastructure;
using NurtureEngine.Timeline;

namespace NurtureEngine.Tests.Sequences;

/// <summary>An enrollment ends once: two exits racing for it record one <c>exited</c> row, whatever the timing.</summary>
[Collection(AppCollection.Name)]
public sealed class ExitOnceTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ConcurrentUnenrolls_RecordExitedOnce_PerEnrollment()
    {
        var put = await _app.Api().PutAsJsonAsync("/api/v1/sequences/race", new
        {
            name = "Race", trigger = new { type = "manual" },
            steps = new object[] { new { id = "w", type = "wait", duration = "P7D" }, new { id = "e", type = "exit" } },
        });
        put.EnsureSuccessStatusCode();
        var leads = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var id = (await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("race") }))["id"]!.GetValue<string>();
            (await _app.Api().PostAsJsonAsync("/api/v1/sequences/race/enroll", new { leadId = id })).EnsureSuccessStatusCode();
            leads.Add(id);
        }

        var answers = await Task.WhenAll(leads.SelectMany(id => Enumerable.Range(0, 3).Select(_ =>
            _app.Api().PostAsJsonAsync("/api/v1/sequences/race/unenroll", new { leadId = id }))));

        Assert.All(answers, a => Assert.True(a.IsSuccessStatusCode, a.StatusCode.ToString()));
        var exited = _app.Db(db => db.Activities.Where(a => a.Kind == ActivityKind.Exited).GroupBy(a => a.LeadId).Select(g => g.Count()).ToList());
        Assert.Equal(leads.Count, exited.Count);
        Assert.All(exited, n => Assert.Equal(1, n));
    }
}
