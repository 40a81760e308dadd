using System.Net;
using System.Reflection;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace NurtureEngine.Rendering;

/// <summary>
/// A Scriban context for untrusted templates: no .NET member access beyond plain values, bounded
/// loops, recursion and output, a deadline, and (for HTML) every printed value HTML-escaped unless
/// it is <see cref="RawHtml"/>. Scriban itself escapes nothing.
/// </summary>
public sealed class SandboxedTemplateContext : TemplateContext
{
    public const int MaxOutputChars = 1_000_000;
    private readonly bool _escapeHtml;

    public SandboxedTemplateContext(ScriptObject model, bool escapeHtml, CancellationToken cancellationToken)
    {
        _escapeHtml = escapeHtml;
        LoopLimit = 10_000;
        RecursiveLimit = 20;
        ObjectRecursionLimit = 20;
        LimitToString = 100_000;
        OutputLimit = MaxOutputChars;
        RegexTimeOut = TimeSpan.FromMilliseconds(200);
        StrictVariables = false;
        EnableRelaxedMemberAccess = true;
        TemplateLoader = null;
        // Only plain values are reachable: no properties of arbitrary .NET objects.
        MemberFilter = member => member is PropertyInfo p && p.DeclaringType == typeof(DateTime);
        CancellationToken = cancellationToken;
        PushGlobal(model);
    }

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        if (!_escapeHtml || textAsObject is null) return base.Write(span, textAsObject!);
        if (textAsObject is RawHtml raw) return base.Write(span, raw.Value);
        var text = ObjectToString(textAsObject);
        return base.Write(span, WebUtility.HtmlEncode(text));
    }
}
