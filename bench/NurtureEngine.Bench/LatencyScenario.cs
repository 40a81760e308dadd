namespace NurtureEngine.Bench;

public static class LatencyScenario
{
    public static Task RunAsync(BenchEnv env)
    {
        Results.Add(new Row("4 Reaction latency: new lead (stage entered) → welcome email accepted by SMTP", "not measured yet", "—", "—", "p99 < 2 s", "—",
            "needs the real app + Hangfire nudge path"));
        return Task.CompletedTask;
    }
}
