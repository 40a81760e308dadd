using NurtureEngine.Common;
using NurtureEngine.Tasks;

namespace NurtureEngine.Web.Api;

public static class TaskEndpoints
{
    public sealed class TaskInput
    {
        public string? LeadId { get; set; }
        public string? Title { get; set; }
        public DateTimeOffset? DueAt { get; set; }
        /// <summary>ISO 8601 duration from now; used when <see cref="DueAt"/> is absent.</summary>
        public string? Due { get; set; }
        public string? Owner { get; set; }
    }

    /// <summary>API.md "Tasks", plus <c>POST /tasks</c> to make one by hand (an extension).</summary>
    public static void MapTasks(this RouteGroupBuilder api)
    {
        api.MapGet("/tasks", async (string? owner, string? status, string? leadId, int? limit, TaskService tasks, CancellationToken ct) =>
        {
            Guid? lead = leadId is null ? null : Guid.TryParse(leadId, out var g) ? g : throw new ValidationException("leadId", "is not a lead id");
            return Results.Ok(new { items = await tasks.ListAsync(new TaskQuery(owner, status, lead, Limit: limit ?? 200), ct) });
        });
        api.MapPost("/tasks", async (HttpRequest request, TaskService tasks, TimeProvider clock, CancellationToken ct) =>
        {
            var input = await JsonBody.ReadAsync<TaskInput>(request, ct);
            var leadId = Guid.TryParse(input.LeadId, out var id) ? id : throw new ValidationException("leadId", "a lead id is required");
            DateTimeOffset? dueAt = input.DueAt ?? (input.Due is null ? null
                : clock.GetUtcNow() + (Iso8601Duration.TryParse(input.Due) ?? throw new ValidationException("due", "must be an ISO 8601 duration such as P1D")));
            var task = await tasks.CreateAsync(leadId, input.Title, dueAt, input.Owner, "api", ct);
            return Results.Created($"/api/v1/tasks/{task.Id}", task);
        });
        api.MapPost("/tasks/{id}/done", async (string id, TaskService tasks, CancellationToken ct) =>
            Results.Ok(await tasks.DoneAsync(long.TryParse(id, out var taskId) ? taskId : throw new NotFoundException("Task"), "api", ct)));
    }
}
