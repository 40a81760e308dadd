namespace NurtureEngine.Rendering;

/// <summary>
/// Makes composed HTML fit for email clients that drop &lt;style&gt; (Gmail on some accounts, Outlook):
/// every rule that can be inlined is copied into the elements' style attributes with PreMailer.Net.
/// The &lt;style&gt; element stays, so @media rules (375 px stacking, dark mode) still reach the
/// clients that honour them. HTML without a stylesheet is returned as it is.
/// </summary>
public static class EmailInliner
{
    public static string Inline(string html)
    {
        if (!html.Contains("<style", StringComparison.OrdinalIgnoreCase)) return html;
        var result = PreMailer.Net.PreMailer.MoveCssInline(html, removeStyleElements: false, stripIdAndClassAttributes: false, removeComments: false, preserveMediaQueries: true);
        return result.Html;
    }
}
