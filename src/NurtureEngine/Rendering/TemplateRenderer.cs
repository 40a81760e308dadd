using System.Collections.Concurrent;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace NurtureEngine.Rendering;

/// <summary>
/// Renders Scriban templates safely. Parsed templates are cached by (template version, part):
/// versions are immutable, so a cache entry never goes stale.
/// </summary>
public sealed class TemplateRenderer
{
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<(long, string), Template> _cache = new();

    public TemplateRenderer() : this(TimeSpan.FromMilliseconds(new Settings.NurtureOptions().RenderTimeoutMilliseconds)) { }

    public TemplateRenderer(IOptions<Settings.NurtureOptions> options) : this(TimeSpan.FromMilliseconds(options.Value.RenderTimeoutMilliseconds)) { }

    private TemplateRenderer(TimeSpan timeout) => _timeout = timeout;

    /// <summary>Parse errors of one part, with 1-based line and column; empty when it parses.</summary>
    public static IReadOnlyList<TemplateError> Check(string part, string? source)
    {
        if (string.IsNullOrEmpty(source)) return [];
        var template = Template.Parse(source);
        return template.HasErrors ? template.Messages.Select(m => ToError(part, m)).ToList() : [];
    }

    public string Render(long? cacheKey, string part, string source, ScriptObject model, bool escapeHtml)
    {
        var template = cacheKey is { } key
            ? _cache.GetOrAdd((key, part), _ => Parse(part, source))
            : Parse(part, source);
        var context = new SandboxedTemplateContext(model, escapeHtml, _timeout);
        try
        {
            return template.Render(context);
        }
        catch (Exception e) when (context.TimedOut && e is OperationCanceledException or ScriptRuntimeException)
        {
            // Scriban may wrap the cut-off in its own exception; on a starved machine a harmless template can hit it too.
            throw new TemplateRenderException(new TemplateError(part, 1, 1, $"rendering took longer than {_timeout.TotalMilliseconds:0} ms"), timedOut: true);
        }
        catch (ScriptRuntimeException e)
        {
            throw new TemplateRenderException(new TemplateError(part, e.Span.Start.Line + 1, e.Span.Start.Column + 1, e.OriginalMessage));
        }
    }

    private static Template Parse(string part, string source)
    {
        var template = Template.Parse(source);
        if (template.HasErrors) throw new TemplateRenderException(ToError(part, template.Messages.First(m => m.Type == ParserMessageType.Error)));
        return template;
    }

    private static TemplateError ToError(string part, LogMessage m) =>
        new(part, m.Span.Start.Line + 1, m.Span.Start.Column + 1, m.Message);
}
