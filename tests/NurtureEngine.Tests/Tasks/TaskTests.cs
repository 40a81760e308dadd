using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Tasks;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Tasks;

/// <summary>Task steps, the tasks API (API.md "Tasks") and the one-reminder-per-task guarantee.</summary>
[Collection(AppCollection.Name)]
public sealed class TaskTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TaskStep_GivesTheOwnerATask_ListedByTheApi_AndDoneOnce()
    {
        var owner = NurtureApp.UniqueEmail("rep");
        var put = await _app.Api().PutAsJsonAsync("/api/v1/sequences/call-new-leads", new
        {
            name = "Call new leads",
            trigger = new { type = "lead_created", source = "call-test" },
            steps = new object[] { new { id = "call", type = "task", title = "Call them today", due = "PT4H" } },
        });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail(), owner, source = "call-test" });
        var id = lead["id"]!.GetValue<string>();
        await _app.WaitForKindAsync(id, "task_created");

        var open = await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/tasks?owner={owner}&status=open");
        var task = Assert.Single(open!["items"]!.AsArray())!;
        Assert.Equal("Call them today", task["title"]!.GetValue<string>());
        Assert.Equal(id, task["leadId"]!.GetValue<string>());
        var due = task["dueAt"]!.GetValue<DateTimeOffset>() - task["createdAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(TimeSpan.FromHours(4), due);

        var taskId = task["id"]!.GetValue<long>();
        for (var i = 0; i < 2; i++)
        {
            var done = await _app.Api().PostAsync($"/api/v1/tasks/{taskId}/done", null);
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }
        Assert.Empty((await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/tasks?owner={owner}&status=open"))!["items"]!.AsArray());
        Assert.Single((await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/tasks?owner={owner}&status=done"))!["items"]!.AsArray());
        Assert.Single(await _app.KindsAsync(id), k => k == "task_done");
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Api().PostAsync("/api/v1/tasks/999999/done", null)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _app.Api().GetAsync("/api/v1/tasks?status=later")).StatusCode);
    }

    [Fact]
    public async Task ATaskStepTitle_IsATemplate_RenderedWithTheLead_AndASlipIsRefusedAtItsLineAndColumn()
    {
        var slip = await _app.Api().PutAsJsonAsync("/api/v1/sequences/call-by-name", new
        {
            name = "Call by name", trigger = new { type = "manual" },
            steps = new object[] { new { id = "call", type = "task", title = "Call {{ if lead.first_name }}" } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, slip.StatusCode);
        var error = (await slip.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["steps[0].title"]![0]!.GetValue<string>();
        Assert.Contains("line 1, column", error);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Api().GetAsync("/api/v1/sequences/call-by-name")).StatusCode);

        (await _app.Api().PutAsJsonAsync("/api/v1/sequences/call-by-name", new
        {
            name = "Call by name", trigger = new { type = "manual" },
            steps = new object[] { new { id = "call", type = "task", title = "Call {{ lead.first_name }} at {{ lead.company }}", due = "PT4H" } },
        })).EnsureSuccessStatusCode();
        var owner = NurtureApp.UniqueEmail("rep");
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail(), firstName = "Ada", company = "Analytical Engines", owner });
        var id = lead["id"]!.GetValue<string>();
        (await _app.Api().PostAsJsonAsync("/api/v1/sequences/call-by-name/enroll", new { leadId = id })).EnsureSuccessStatusCode();
        await _app.WaitForKindAsync(id, "task_created");

        var task = Assert.Single((await _app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/tasks?owner={owner}&status=open"))!["items"]!.AsArray())!;
        Assert.Equal("Call Ada at Analytical Engines", task["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task DueTask_RemindsTheOwnerByEmail_Once_EvenWhenTwoSweepsRunAtOnce()
    {
        var owner = NurtureApp.UniqueEmail("owner");
        var lead = await _app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail(), firstName = "Ada", owner });
        var created = await _app.Api().PostAsJsonAsync("/api/v1/tasks", new { leadId = lead["id"]!.GetValue<string>(), title = "Send the quote", dueAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        async Task<int> Sweep()
        {
            using var scope = _app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<TaskService>().SendDueRemindersAsync(100, CancellationToken.None);
        }
        var results = await Task.WhenAll(Sweep(), Sweep(), Sweep());
        Assert.Equal(1, results.Sum());
        Assert.Equal(0, await Sweep());

        var mail = Assert.Single(await MailSink.WaitForAsync(owner));
        Assert.Equal("Task due: Send the quote (Ada)", mail.Message.Subject);
        Assert.Contains("/leads/" + lead["id"]!.GetValue<string>(), mail.Message.TextBody);
        Assert.Equal(1, _app.Db(db => db.Messages.Count(m => m.ToAddress == owner)));
    }
}
