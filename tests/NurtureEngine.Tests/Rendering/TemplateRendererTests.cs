using NurtureEngine.Leads;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;
using Scriban.Runtime;

namespace NurtureEngine.Tests.Rendering;

public sealed class TemplateRendererTests
{
    private readonly TemplateRenderer _renderer = new();

    private static ScriptObject Model(string firstName = "Ada", string attributes = "{}") => TemplateModel.For(
        new Lead { Email = "ada@example.com", EmailNormalized = "ada@example.com", FirstName = firstName, Company = "Engines & Co", AttributesJson = attributes },
        "lead", "default", new SenderOptions(), new TemplateModel.Links("https://u.example/u/1", "https://u.example/u/1"), DateTimeOffset.UnixEpoch);

    [Fact]
    public void HtmlOutput_EscapesEveryPrintedValue()
    {
        var html = _renderer.Render(null, "html", "<p>{{ lead.first_name }} at {{ lead.company }}</p>", Model("<script>alert(1)</script>"), escapeHtml: true);

        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt; at Engines &amp; Co</p>", html);
    }

    [Fact]
    public void Raw_PrintsTrustedMarkupUnescaped()
    {
        var html = _renderer.Render(null, "html", "{{ raw lead.attributes.signature }}|{{ lead.attributes.signature }}",
            Model(attributes: """{"signature":"<b>Ada</b>"}"""), escapeHtml: true);

        Assert.Equal("<b>Ada</b>|&lt;b&gt;Ada&lt;/b&gt;", html);
    }

    [Fact]
    public void TextAndSubject_AreNotEscaped()
    {
        Assert.Equal("Hi Engines & Co", _renderer.Render(null, "text", "Hi {{ lead.company }}", Model(), escapeHtml: false));
    }

    [Theory]
    [InlineData("{{ for i in 1..100000000 }}x{{ end }}")]
    [InlineData("{{ func f; ret f; end; f }}")]
    [InlineData("{{ x = 'a'; while true; x = x + x; end }}")]
    public void RunawayTemplates_AreCutOff_WithAClearError(string source)
    {
        var e = Assert.Throws<TemplateRenderException>(() => _renderer.Render(null, "html", source, Model(), escapeHtml: true));
        Assert.False(string.IsNullOrWhiteSpace(e.Error.Message));
    }

    [Theory]
    [InlineData("{{ lead.GetType }}")]
    [InlineData("{{ now.GetType }}")]
    [InlineData("{{ include 'appsettings.json' }}")]
    [InlineData("{{ environment }}")]
    public void Templates_CannotReachDotNetObjectsFilesOrTheEnvironment(string source)
    {
        string? output = null;
        try { output = _renderer.Render(null, "html", source, Model(), escapeHtml: true); }
        catch (TemplateRenderException) { return; }
        Assert.DoesNotContain("System.", output);
        Assert.DoesNotContain("Logging", output);
    }

    [Fact]
    public void ParseErrors_CarryLineAndColumn()
    {
        var errors = TemplateRenderer.Check("html", "<p>\n  {{ if lead.first_name }}\n</p>");

        var error = Assert.Single(errors);
        Assert.Equal("html", error.Part);
        Assert.True(error.Line >= 2, $"line {error.Line}");
        Assert.True(error.Column >= 1);
    }
}
