using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Templates;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Rendering;

/// <summary>
/// Every gallery template, composed as a lead gets it (layout, tracked links, footer, inlined CSS),
/// renders without Scriban errors, passes the linter, and (where SpamAssassin is installed, as
/// test.sh does) shows no header or MIME construction fault and no spam verdict.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class GalleryTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void TheGallery_HasTheEightKindsOfStarterTemplate()
    {
        var names = TemplateGallery.All().Select(g => g.Name).ToList();
        foreach (var kind in new[] { "welcome", "newsletter", "event-invite", "follow-up", "re-engagement", "product-update", "onboarding", "owner-alert" })
            Assert.Contains(kind, names);
        Assert.All(TemplateGallery.All(), g => Assert.False(string.IsNullOrWhiteSpace(g.Description), $"{g.Name} has no description"));
    }

    [Fact]
    public async Task EveryGalleryTemplate_Renders_PassesTheLinter_AndSpamAssassinFindsNoConstructionFault()
    {
        Assert.True(SpamAssassinCheck.IsAvailable || Environment.GetEnvironmentVariable("CI") is null, "test.sh installs spamassassin");
        using var scope = _app.Services.CreateScope();
        var templates = scope.ServiceProvider.GetRequiredService<TemplateService>();
        var linter = scope.ServiceProvider.GetRequiredService<TemplateLinter>();
        var report = new List<string>();
        foreach (var g in TemplateGallery.All())
        {
            var sample = Json.Deserialize<LeadInput>(File.ReadAllText(Path.Combine(NurtureEngine.Demo.DemoSeeder.TemplatesFolder, "emails", g.Name, "sample.json")));
            var email = await templates.ComposeDraftAsync(g.Template, new PreviewInput { Lead = sample }, CancellationToken.None);
            Assert.DoesNotContain("{{", email.Html);
            Assert.Contains("Ada", email.Html + email.Subject);
            var lint = await linter.LintAsync(email, scoreSpam: true, CancellationToken.None);
            report.AddRange(lint.Findings.Select(f => $"{g.Name}: {f.Rule}: {f.Message}"));
            if (lint.Spam is { } spam)
            {
                Assert.True(spam.Score < spam.Required, $"{g.Name}: SpamAssassin {spam.Score} ({string.Join(", ", spam.Rules.Select(r => r.Name))})");
                Assert.DoesNotContain(spam.Rules, r => SpamAssassinCheck.IsConstructionRule(r.Name));
            }
        }
        Assert.Empty(report);
    }
}
