namespace NurtureEngine.Rendering;

/// <summary>Markup the template author marked trusted with <c>raw</c>: printed without escaping.</summary>
public sealed record RawHtml(string Value)
{
    public override string ToString() => Value;
}
