using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Tasks;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Tasks;

/// <summary>The lead page's "done" button checks what /tasks checks: a SalesRep completes only their own task, and only that lead's.</summary>
[Collection(AppCollection.Name)]
public sealed class LeadPageTaskTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(string LeadId, long TaskId)> LeadWithTaskAsync(string owner)
    {
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail(), owner });
        var leadId = lead["id"]!.GetValue<string>();
        var task = await (await _app.Api().PostAsJsonAsync("/api/v1/tasks", new { leadId, title = "Call", due = "P1D", owner })).Content.ReadFromJsonAsync<JsonObject>();
        return (leadId, task!["id"]!.GetValue<long>());
    }

    private SalesTaskStatus StatusOf(long taskId) => _app.Db(db => db.SalesTasks.Single(t => t.Id == taskId).Status);

    [Fact]
    public async Task ASalesRep_CannotCompleteAnotherRepsTask_OrAnotherLeadsTask_FromALeadPage()
    {
        await AdminClient.CreateUserAsync(_app, "rep@nurture.test", "Rep-password-12", "SalesRep");
        using var rep = await AdminClient.SignInAsync(_app, "rep@nurture.test", "Rep-password-12");
        var (othersLead, othersTask) = await LeadWithTaskAsync("other@nurture.test");
        var (myLead, myTask) = await LeadWithTaskAsync("rep@nurture.test");

        await rep.PostFormAsync($"/leads/{othersLead}", $"/leads/{othersLead}?handler=TaskDone", new() { ["taskId"] = othersTask.ToString() });
        await rep.PostFormAsync($"/leads/{myLead}", $"/leads/{othersLead}?handler=TaskDone", new() { ["taskId"] = myTask.ToString() });

        Assert.Equal(SalesTaskStatus.Open, StatusOf(othersTask));
        Assert.Equal(SalesTaskStatus.Open, StatusOf(myTask)); // not through another lead's page

        await rep.PostFormAsync($"/leads/{myLead}", $"/leads/{myLead}?handler=TaskDone", new() { ["taskId"] = myTask.ToString() });
        Assert.Equal(SalesTaskStatus.Done, StatusOf(myTask));
    }
}
