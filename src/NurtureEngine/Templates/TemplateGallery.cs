using NurtureEngine.Demo;

namespace NurtureEngine.Templates;

public sealed record GalleryTemplate(string Name, string Title, string Description, TemplateInput Template);

/// <summary>
/// The starter templates a new template can begin from: the folders of templates/emails (each with a
/// sample lead and an expected rendering, checked by the tests), titled by their description.txt.
/// </summary>
public static class TemplateGallery
{
    /// <summary>The layout the gallery's templates are designed in; new templates use it when it exists.</summary>
    public const string DefaultLayout = "branded";

    public static IReadOnlyList<GalleryTemplate> All()
    {
        var root = Path.Combine(DemoSeeder.TemplatesFolder, "emails");
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal).Select(Read).ToList();
    }

    public static GalleryTemplate? Find(string? name) => All().FirstOrDefault(g => g.Name == name);

    /// <summary>A layout of the gallery (templates/layouts/{key}).</summary>
    public static TemplateInput Layout(string key) => DemoSeeder.ReadTemplate(Path.Combine(DemoSeeder.TemplatesFolder, "layouts", key));

    /// <summary>
    /// True when the HTML has Scriban control flow ({{ if }}, {{ for }}, …) between elements: such a
    /// template opens in the code view, since the visual editor keeps only the expressions it can place.
    /// </summary>
    public static bool UsesControlFlow(string? html) =>
        html is not null && System.Text.RegularExpressions.Regex.IsMatch(html, @"\{\{-?\s*(if|for|while|case|capture|func|tablerow)\b");

    private static GalleryTemplate Read(string folder)
    {
        var name = Path.GetFileName(folder);
        var about = Path.Combine(folder, "description.txt");
        var lines = File.Exists(about) ? File.ReadAllLines(about) : [];
        var title = lines.FirstOrDefault(l => l.Length > 0) ?? name;
        var description = string.Join(' ', lines.Skip(1).Where(l => l.Length > 0));
        return new GalleryTemplate(name, title, description, DemoSeeder.ReadTemplate(folder));
    }
}
