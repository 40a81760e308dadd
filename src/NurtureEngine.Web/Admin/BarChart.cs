namespace NurtureEngine.Web.Admin;

/// <summary>A horizontal bar chart drawn on the server as SVG (no script): one labelled bar per item.</summary>
public sealed record BarChart(string Title, IReadOnlyList<BarChart.Bar> Bars, string Colour = "#2563eb")
{
    public sealed record Bar(string Label, double Value, string Text, string? Note = null);

    public const int LabelWidth = 170, BarArea = 420, RowHeight = 30, Top = 8;
    public int Height => Top * 2 + Math.Max(1, Bars.Count) * RowHeight;
    public int Width => LabelWidth + BarArea + 260;
    public double Max => Bars.Count == 0 ? 1 : Math.Max(1e-9, Bars.Max(b => b.Value));
    public double WidthOf(Bar b) => b.Value <= 0 ? 0 : Math.Max(2, b.Value / Max * BarArea);
}
