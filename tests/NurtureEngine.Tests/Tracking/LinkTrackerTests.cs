using NurtureEngine.Rendering;
using NurtureEngine.Tracking;

namespace NurtureEngine.Tests.Tracking;

public sealed class LinkTrackerTests
{
    [Fact]
    public void HttpLinks_AreRewritten_InOrder_OthersLeftAlone()
    {
        const string html = """<p><a href="https://a.example/x?y=1&amp;z=2">A</a> <a class="b" href='http://b.example'>B</a> <a href="mailto:x@y.example">M</a> <a href="#top">T</a></p>""";

        var (rewritten, links) = LinkTracker.Rewrite(html, i => $"https://t.example/c/{i}", _ => false);

        Assert.Equal(["https://a.example/x?y=1&z=2", "http://b.example"], links);
        Assert.Contains("""href="https://t.example/c/0">A</a>""", rewritten);
        Assert.Contains("""href='https://t.example/c/1'>B</a>""", rewritten);
        Assert.Contains("mailto:x@y.example", rewritten);
        Assert.Contains("#top", rewritten);
    }

    [Fact]
    public void TheTextPart_KeepsLinkTargetsAndBlockBreaks()
    {
        var text = HtmlToText.Convert("<h1>Hi &amp; welcome</h1><p>Read <a href=\"https://x.example/guide\">the guide</a>.</p><ul><li>One</li><li>Two</li></ul>");

        Assert.Equal("Hi & welcome\n\nRead the guide (https://x.example/guide).\n\n- One\n- Two\n", text);
    }
}
