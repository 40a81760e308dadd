using NurtureEngine.Rendering;

namespace NurtureEngine.Tests.Rendering;

/// <summary>The plain-text part derived from an email built in the visual editor reads like a written email.</summary>
public sealed class HtmlToTextTests
{
    [Fact]
    public void AVisualEditorEmail_ReadsAsParagraphs_ColumnsOnTheirOwnLines_ImagesByAltText()
    {
        const string html = """
            <style>#ih1{font-size:26px}</style>
            <h1 id="ih1">Our spring launch</h1><p>Hi Ada,</p><p>Three new things.</p>
            <table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="background:#2563eb"><a href="https://example.com/launch">Call to action</a></td></tr></table>
            <table role="presentation" class="row" width="100%"><tr>
            <td class="column"><img src="https://cdn.example/left.png" alt="The new dashboard"><p>Dashboards</p></td>
            <td class="column"><a href="https://example.com/reports"><img src="https://cdn.example/right.png" alt="Reports"></a><p>Reports</p></td>
            </tr></table>
            <hr style="border:0"><img src="https://t.example/o/1" width="1" height="1" alt="">
            <p class="social"><a href="https://www.linkedin.com/">LinkedIn</a> · <a href="https://x.com/">X</a></p>
            """;

        Assert.Equal("""
            Our spring launch

            Hi Ada,

            Three new things.

            Call to action (https://example.com/launch)

            [The new dashboard]
            Dashboards

            [Reports] (https://example.com/reports)
            Reports

            ----------

            LinkedIn (https://www.linkedin.com/) · X (https://x.com/)

            """.Replace("\r", ""), HtmlToText.Convert(html));
    }
}
