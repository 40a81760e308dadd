using System.Text.Json;
using NurtureEngine.Common;
using NurtureEngine.Demo;
using NurtureEngine.Leads;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;

namespace NurtureEngine.Tests.Rendering;

/// <summary>
/// Each starter template in templates/ renders with its sample.json to the checked-in
/// expected.html / expected.subject.txt beside it (Scriban's own input + expected style).
/// </summary>
public sealed class StarterTemplateTests
{
    public static TheoryData<string> Emails() => new(Directory.EnumerateDirectories(Path.Combine(DemoSeeder.TemplatesFolder, "emails")).Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Emails))]
    public void RendersItsSample_AsExpected(string name)
    {
        var folder = Path.Combine(DemoSeeder.TemplatesFolder, "emails", name);
        var input = DemoSeeder.ReadTemplate(folder);
        var sample = Json.Deserialize<LeadInput>(File.ReadAllText(Path.Combine(folder, "sample.json")));
        var lead = new Lead
        {
            Email = sample.Email!, EmailNormalized = Lead.Normalize(sample.Email!), FirstName = sample.FirstName, LastName = sample.LastName,
            Company = sample.Company, Owner = sample.Owner, Score = 30,
        };
        var model = TemplateModel.For(lead, "mql", "default", new SenderOptions(), new TemplateModel.Links("https://u.example/u/t", "https://u.example/u/t"), DateTimeOffset.UnixEpoch);
        var renderer = new TemplateRenderer();

        var subject = renderer.Render(null, "subject", input.Subject!, model, escapeHtml: false).Trim();
        var html = renderer.Render(null, "html", input.Html!, model, escapeHtml: true);

        if (Environment.GetEnvironmentVariable("UPDATE_EXPECTED") == "1")
        {
            // Approve new output: writes the expected files into the repository's templates/ folder.
            var source = Path.Combine(RepositoryRoot(), "templates", "emails", name);
            File.WriteAllText(Path.Combine(source, "expected.subject.txt"), subject + "\n");
            File.WriteAllText(Path.Combine(source, "expected.html"), html);
            return;
        }
        Assert.Equal(File.ReadAllText(Path.Combine(folder, "expected.subject.txt")).Trim(), subject);
        Assert.Equal(File.ReadAllText(Path.Combine(folder, "expected.html")).ReplaceLineEndings(), html.ReplaceLineEndings());
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NurtureEngine.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("NurtureEngine.sln not found above the test folder");
    }
}
