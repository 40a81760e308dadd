using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;

namespace NurtureEngine.Bench;

/// <summary>Scenario 7: the demo welcome email (subject, body, layout) rendered with a cached parse vs a fresh parse.</summary>
public static class RenderScenario
{
    public static async Task RunAsync(BenchEnv env)
    {
        await using var engine = Engine.Create(env, Engine.TemplateDb);
        using var scope = engine.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var composer = scope.ServiceProvider.GetRequiredService<EmailComposer>();
        var welcome = await composer.LatestVersionAsync("welcome", CancellationToken.None) ?? throw new InvalidOperationException("no welcome");
        var layout = welcome.Layout is { } key ? await composer.LatestVersionAsync(key, CancellationToken.None) : null;
        var sender = scope.ServiceProvider.GetRequiredService<IOptions<NurtureOptions>>().Value.Sender;
        var renderer = new TemplateRenderer();
        var lead = new Lead { Email = "ada@example.com", EmailNormalized = "ada@example.com", FirstName = "Ada", LastName = "Lovelace", Company = "Analytical Engines" };
        var links = new TemplateModel.Links("https://nurture.example/u/x", "https://nurture.example/u/x");

        void RenderOnce(bool cached)
        {
            var model = TemplateModel.For(lead, "lead", "default", sender, links, DateTimeOffset.UtcNow);
            renderer.Render(cached ? welcome.Id : null, "subject", welcome.Subject, model, escapeHtml: false);
            var html = renderer.Render(cached ? welcome.Id : null, "html", welcome.Html, model, escapeHtml: true);
            if (layout is not null)
            {
                model["content"] = new RawHtml(html);
                renderer.Render(cached ? layout.Id : null, "html", layout.Html, model, escapeHtml: true);
            }
        }

        var seconds = 1.0;
        var rounds = env.Quick ? 4 : 10;
        double Measure(bool cached)
        {
            for (var i = 0; i < 200; i++) RenderOnce(cached);
            var sw = Stopwatch.StartNew();
            var count = 0;
            while (sw.Elapsed.TotalSeconds < seconds) { RenderOnce(cached); count++; }
            return count / sw.Elapsed.TotalSeconds;
        }
        double cachedRate = 0, freshRate = 0;
        for (var run = 0; run < rounds; run++)
        {
            cachedRate = Math.Max(cachedRate, Measure(true));
            freshRate = Math.Max(freshRate, Measure(false));
        }
        Console.WriteLine($"  render: cached {cachedRate:0}/s, fresh parse {freshRate:0}/s");
        Results.Add(new Row("7 Rendering: demo welcome email (subject + body + layout), one thread",
            $"{cachedRate:0} renders/s (parsed once, cached)", $"{freshRate:0} renders/s (fresh parse each time)",
            $"cache = {cachedRate / freshRate:0.0}× fresh", "cache faster than fresh", Results.Yes(cachedRate > freshRate),
            $"TemplateRenderer; {rounds} alternating 1 s rounds each, best round (noisy machine)"));
        _ = db;
    }
}
