using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Pipelines;
using NurtureEngine.Scoring;
using NurtureEngine.Sequences;
using NurtureEngine.Templates;

namespace NurtureEngine.Demo;

/// <summary>
/// The demo workspace for an empty database: the default pipeline, the starter templates from
/// <c>templates/</c>, the "welcome" and "mql-nurture" sequences and the scoring rules of API.md.
/// </summary>
public sealed class DemoSeeder(NurtureDbContext db, PipelineService pipelines, TemplateService templates, SequenceService sequences, ScoringStore scoring)
{
    public static string TemplatesFolder => Path.Combine(AppContext.BaseDirectory, "templates");

    public async Task SeedIfEmptyAsync(CancellationToken ct)
    {
        if (await db.Pipelines.AnyAsync(ct)) return;
        await pipelines.PutAsync("default", new PipelineInput
        {
            Name = "Sales pipeline",
            Stages =
            [
                new() { Key = "lead", Name = "Lead", Probability = 10, Kind = "open" },
                new() { Key = "mql", Name = "Marketing qualified", Probability = 20, Kind = "open" },
                new() { Key = "sql", Name = "Sales qualified", Probability = 40, Kind = "open" },
                new() { Key = "opportunity", Name = "Opportunity", Probability = 60, Kind = "open" },
                new() { Key = "customer", Name = "Customer", Probability = 100, Kind = "won" },
                new() { Key = "lost", Name = "Lost", Probability = 0, Kind = "lost" },
            ],
        }, ct);
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(TemplatesFolder, "layouts")).Order())
            await templates.PutAsync(Path.GetFileName(folder), ReadTemplate(folder), ct);
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(TemplatesFolder, "emails")).Order())
            await templates.PutAsync(Path.GetFileName(folder), ReadTemplate(folder), ct);

        await sequences.PutAsync("welcome", Json.Deserialize<SequenceDefinition>("""
            { "name": "Welcome series",
              "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "exitWhen": [ { "type": "stage_entered", "stage": "sql" }, { "type": "replied" } ],
              "steps": [
                { "id": "welcome", "type": "email", "template": "welcome" },
                { "id": "pause-1", "type": "wait", "duration": "P2D" },
                { "id": "engaged?", "type": "branch", "if": { "type": "clicked", "step": "welcome", "within": "P2D" }, "then": "hot", "else": "nudge" },
                { "id": "nudge", "type": "email", "template": "follow-up" },
                { "id": "end", "type": "exit" },
                { "id": "hot", "type": "score", "points": 10 } ] }
            """), ct);
        await sequences.PutAsync("mql-nurture", Json.Deserialize<SequenceDefinition>("""
            { "name": "MQL nurture",
              "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "mql" },
              "exitWhen": [ { "type": "stage_entered", "stage": "sql" }, { "type": "replied" } ],
              "steps": [
                { "id": "playbook", "type": "email", "template": "mql-nurture" },
                { "id": "tell-rep", "type": "notify_owner", "template": "owner-alert" } ] }
            """), ct);
        await scoring.PutAsync(Json.Deserialize<ScoringConfig>("""
            { "rules": [ { "event": "email_opened", "points": 1 }, { "event": "email_clicked", "points": 5 },
                         { "event": "email_replied", "points": 15 }, { "event": "pricing_viewed", "points": 10 },
                         { "event": "unsubscribed", "points": -50 } ],
              "decay": { "percent": 25, "every": "P30D" },
              "thresholds": [ { "pipeline": "default", "fromStage": "lead", "score": 25, "stage": "mql" } ] }
            """), ct);
    }

    /// <summary>A template folder: subject.sbn, body.html.sbn, optional body.txt.sbn and layout.</summary>
    public static TemplateInput ReadTemplate(string folder)
    {
        string? Read(string name) => File.Exists(Path.Combine(folder, name)) ? File.ReadAllText(Path.Combine(folder, name)) : null;
        return new TemplateInput
        {
            Name = Path.GetFileName(folder),
            Subject = Read("subject.sbn")?.Trim(),
            Html = Read("body.html.sbn"),
            Text = Read("body.txt.sbn"),
            Layout = Read("layout")?.Trim(),
        };
    }
}
