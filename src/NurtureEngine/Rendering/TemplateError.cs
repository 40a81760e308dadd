namespace NurtureEngine.Rendering;

/// <summary>A template problem at a 1-based line and column of one part (subject, html or text).</summary>
public sealed record TemplateError(string Part, int Line, int Column, string Message)
{
    public override string ToString() => $"{Part}({Line},{Column}): {Message}";
}

public sealed class TemplateRenderException(TemplateError error, bool timedOut = false) : Exception(error.ToString())
{
    public TemplateError Error { get; } = error;
    /// <summary>The render hit its time limit: possibly a busy machine rather than a bad template, so worth retrying.</summary>
    public bool TimedOut { get; } = timedOut;
}
