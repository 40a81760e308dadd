using System.Diagnostics;
using System.Net;
using System.Reflection;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace NurtureEngine.Rendering;

/// <summary>
/// A Scriban context for untrusted templates: no .NET member access beyond plain values, bounded
/// loops, recursion and output, a render deadline, and (for HTML) every printed value HTML-escaped unless
/// it is <see cref="RawHtml"/>. Scriban itself escapes nothing.
/// </summary>
public sealed class SandboxedTemplateContext : TemplateContext
{
    public const int MaxOutputChars = 1_000_000;
    private readonly bool _escapeHtml;
    private readonly long _deadline;

    public SandboxedTemplateContext(ScriptObject model, bool escapeHtml, TimeSpan timeLimit)
    {
        _escapeHtml = escapeHtml;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeLimit.TotalSeconds * Stopwatch.Frequency);
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
        PushGlobal(model);
    }

    /// <summary>Set once the time limit has passed; the render was cut off.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>
    /// The deadline is checked on every evaluated node against the monotonic clock, not by a timer:
    /// a timer callback waits for a free thread-pool thread, and on a starved machine a render could
    /// run far past its limit before the cancellation arrived.
    /// </summary>
    public override object? Evaluate(ScriptNode? scriptNode, bool aliasReturnedFunction)
    {
        if (Stopwatch.GetTimestamp() > _deadline)
        {
            TimedOut = true;
            throw new OperationCanceledException("template rendering time limit reached");
        }
        return base.Evaluate(scriptNode, aliasReturnedFunction);
    }

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        if (!_escapeHtml || textAsObject is null) return base.Write(span, textAsObject!);
        if (textAsObject is RawHtml raw) return base.Write(span, raw.Value);
        var text = ObjectToString(textAsObject);
        return base.Write(span, WebUtility.HtmlEncode(text));
    }
}
