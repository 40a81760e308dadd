using NurtureEngine.Bench;

// Usage: NurtureEngine.Bench --pg "Host=..;Port=..;Username=..;Password=.." --smtp-port N [--quick]
//          [--connections 4] [--only 1,3,7] [--arrivals FILE --web-dll PATH] [--out table.md]
// bench/run.sh sets everything up and calls this; see bench/RESULTS.md.
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var env = new BenchEnv(
    Arg("--pg") ?? throw new ArgumentException("--pg is required"),
    "127.0.0.1",
    int.Parse(Arg("--smtp-port") ?? throw new ArgumentException("--smtp-port is required")),
    args.Contains("--quick"),
    int.Parse(Arg("--connections") ?? "4"),
    Arg("--arrivals"),
    Arg("--web-dll"),
    int.Parse(Arg("--app-port") ?? "0"));
var only = Arg("--only")?.Split(',').ToHashSet() ?? ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
var freezeOnly = only.Contains("8a"); // --only 8a: scenario 8's freeze and queue, without the send
if (freezeOnly) only.Add("8");
var output = Arg("--out") ?? "results-table.md";

async Task Step(string id, Func<Task> run)
{
    if (!only.Contains(id)) return;
    Console.WriteLine($"== scenario {id} ({DateTime.UtcNow:HH:mm:ss} UTC)");
    try { await run(); }
    catch (Exception e)
    {
        Console.WriteLine($"  scenario {id} failed: {e}");
        Results.Add(new Row($"{id} Scenario {id}", "failed", "—", "—", "—", "**no**", e.GetType().Name + ": " + e.Message.ReplaceLineEndings(" ")));
    }
    await File.WriteAllTextAsync(output, Results.Table());
}

await Engine.PrepareTemplateAsync(env);
await Step("7", () => RenderScenario.RunAsync(env));
await Step("1", async () =>
{
    await SendScenarios.RunAsync(env, naive: only.Contains("2"));
    var mib = SendScenarios.PeakWorkerBytes / 1048576.0;
    Results.Add(new Row("6j Worker resident memory during scenario 1 (peak VmRSS)", $"{mib:0} MiB", "—", "—", "< 500 MiB", Results.Yes(mib < 500),
        "whole bench process running the engine's drain loop (server GC, like the app)"));
});
await Step("3", () => IngestScenario.RunAsync(env));
await Step("5", () => ScaleScenarios.RunAsync(env, scale: only.Contains("6")));
await Step("8", () => BroadcastScenario.RunAsync(env, send: !freezeOnly));
await Step("9", () => SalesScenario.RunAsync(env));
await Step("4", () => LatencyScenario.RunAsync(env));
await File.WriteAllTextAsync(output, Results.Table());
Console.WriteLine(Results.Table());
