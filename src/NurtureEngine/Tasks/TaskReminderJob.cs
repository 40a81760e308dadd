using Hangfire;

namespace NurtureEngine.Tasks;

/// <summary>The recurring sweep that reminds owners of tasks that fell due (one reminder per task).</summary>
public sealed class TaskReminderJob(IServiceScopeFactory scopes)
{
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using var scope = scopes.CreateScope();
            if (await scope.ServiceProvider.GetRequiredService<TaskService>().SendDueRemindersAsync(100, ct) < 100) return;
        }
    }
}
