using AngleSharp.Html.Parser;
using NurtureEngine.Rendering;

namespace NurtureEngine.Tests.Rendering;

/// <summary>
/// The inliner learns a template's inlined styles once and copies them onto each lead's email: every element of
/// every email must carry exactly the attributes PreMailer itself would have given it.
/// </summary>
public sealed class EmailInlinerTests
{
    private static string Email(string name, string link, string extra = "") => $$"""
        <!doctype html><html><head><style>
        body { margin: 0 } .card td { padding: 12px; color: #333 } h1 { font-size: 24px } a.button { background-color: #2563eb; color: #fff }
        table.row td.column { width: 50% } p + p { margin-top: 8px }
        @media (max-width: 480px) { .column { display: block } }
        </style></head><body>
        <table class="card" width="100%"><tr><td><h1>Hello {{name}}</h1><p>Your trial ends soon, {{name}}.</p><p>Second paragraph</p>{{extra}}
        <a class="button" href="{{link}}">Upgrade</a></td></tr></table>
        <table class="row"><tr><td class="column" style="border:0">Left</td><td class="column">Right &amp; more</td></tr></table>
        </body></html>
        """;

    [Fact]
    public void EveryLead_GetsTheSameInlinedAttributesPreMailerGives_WhileTextAndLinksStayTheirOwn()
    {
        foreach (var (name, link) in new[] { ("Ada", "https://t.example/c/1"), ("Grace &amp; co", "https://t.example/c/2?x=1&amp;y=2"), ("Linus", "https://t.example/c/3") })
        {
            var html = Email(name, link);
            var ours = EmailInliner.Inline(html);
            AssertSameElements(PreMailed(html), ours);
            Assert.Contains($"Hello {name}</h1>", ours);
            Assert.Contains($"href=\"{link}\"", ours);
        }
    }

    [Fact]
    public void ADifferentStructure_IsLearntOnItsOwn()
    {
        EmailInliner.Inline(Email("Ada", "https://t.example/c/1"));
        var html = Email("Ada", "https://t.example/c/1", "<p>A third paragraph</p>");
        AssertSameElements(PreMailed(html), EmailInliner.Inline(html));
    }

    [Fact]
    public void StylesheetRules_MoveOntoTheElements_AndMediaQueriesStay()
    {
        var html = EmailInliner.Inline("<html><head><style>.cta { color: #ffffff; } @media (max-width: 620px) { .cta { display: block !important; } }</style></head><body><a class=\"cta\" href=\"https://x\">Go</a></body></html>");
        Assert.Matches("<a class=\"cta\" href=\"https://x\" style=\"color: #(ffffff|fff)", html);
        Assert.Contains("@media (max-width: 620px)", html);
    }

    [Fact]
    public void HtmlWithoutAStylesheet_IsLeftAsItIs() =>
        Assert.Equal("<p>Hi</p>", EmailInliner.Inline("<p>Hi</p>"));

    private static string PreMailed(string html) =>
        PreMailer.Net.PreMailer.MoveCssInline(html, removeStyleElements: false, stripIdAndClassAttributes: false, removeComments: false, preserveMediaQueries: true).Html;

    private static void AssertSameElements(string expected, string actual)
    {
        var parser = new HtmlParser();
        var want = parser.ParseDocument(expected).All.ToList();
        var got = parser.ParseDocument(actual).All.ToList();
        Assert.Equal(want.Count, got.Count);
        for (var i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].LocalName, got[i].LocalName);
            Assert.Equal(Attributes(want[i]), Attributes(got[i]));
            if (want[i].ChildElementCount == 0) Assert.Equal(want[i].TextContent, got[i].TextContent);
        }
        Assert.Contains("td class=\"column\"", actual);
        Assert.Contains("padding: 12px", actual);
    }

    private static string Attributes(AngleSharp.Dom.IElement e) =>
        string.Join(" ", e.Attributes.OrderBy(a => a.Name).Select(a => $"{a.Name}={a.Value}"));
}
