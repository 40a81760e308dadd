using System.Globalization;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// A line chart drawn on the server as SVG (no script): one point per period on the x axis, one line per series,
/// each point labelled with its value in a tooltip and the lines told apart by dash pattern as well as colour.
/// </summary>
public sealed record LineChart(string Title, IReadOnlyList<string> Labels, IReadOnlyList<LineChart.Series> Lines)
{
    public sealed record Series(string Name, IReadOnlyList<double> Values, string Colour, bool Dashed = false);

    public const int Left = 70, Right = 20, Top = 16, PlotHeight = 200, AxisHeight = 28, LegendHeight = 24, Step = 56;
    public int PlotWidth => Math.Max(1, Labels.Count - 1) * Step;
    public int Width => Left + PlotWidth + Right;
    public int Height => Top + PlotHeight + AxisHeight + LegendHeight;
    public double Max => Math.Max(1e-9, Lines.SelectMany(l => l.Values).DefaultIfEmpty(0).Max());

    public double X(int i) => Labels.Count == 1 ? Left + PlotWidth / 2.0 : Left + i * Step;
    public double Y(double value) => Top + PlotHeight - Math.Max(0, value) / Max * PlotHeight;

    /// <summary>Every label when they fit, else every n-th (and the last): month names never overlap.</summary>
    public bool ShowsLabel(int i) => i == Labels.Count - 1 || i % Math.Max(1, (int)Math.Ceiling(60.0 / Step)) == 0;

    public string Points(Series s) => string.Join(' ', s.Values.Select((v, i) => $"{N(X(i))},{N(Y(v))}"));

    public static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
