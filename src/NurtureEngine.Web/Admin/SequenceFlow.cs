using NurtureEngine.Sequences;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// Lays out a sequence as boxes and arrows for a server-drawn SVG: steps top to bottom in order,
/// "next" arrows straight down, branch and goto jumps as curves on the right, each labelled in
/// words (yes / no / go to) and drawn differently (solid, dashed), not told apart by colour alone.
/// </summary>
public sealed class SequenceFlow
{
    public const int BoxWidth = 360, BoxHeight = 62, Gap = 34, Left = 20, Top = 16;

    public sealed record Box(int Index, Step Step, int X, int Y, StepStats? Stats);
    public sealed record Arrow(string Path, string? Label, string Kind, int LabelX = 0, int LabelY = 0);

    /// <summary>About how many characters of 12-13 px text fit across a box (the rest is cut with "…", the whole text in its tooltip).</summary>
    public const int CharsPerLine = 50;

    public static string Fit(string text, int chars = CharsPerLine) => text.Length <= chars ? text : text[..(chars - 1)].TrimEnd() + "…";

    public IReadOnlyList<Box> Boxes { get; }
    public IReadOnlyList<Arrow> Arrows { get; }
    public int Width { get; }
    public int Height { get; }

    public SequenceFlow(IReadOnlyList<Step> steps, IReadOnlyList<StepStats>? stats)
    {
        var boxes = steps.Select((s, i) => new Box(i, s, Left, Top + i * (BoxHeight + Gap), stats?.FirstOrDefault(x => x.Step == s.Id))).ToList();
        var byId = boxes.GroupBy(b => b.Step.Id).ToDictionary(g => g.Key, g => g.First());
        var arrows = new List<Arrow>();
        var lane = 0;
        foreach (var b in boxes)
        {
            var s = b.Step;
            var bottom = b.Y + BoxHeight;
            var centre = b.X + BoxWidth / 2;
            if (s.Type is not (StepType.Branch or StepType.Goto or StepType.Exit) && b.Index + 1 < boxes.Count)
                arrows.Add(new Arrow($"M{centre},{bottom} L{centre},{bottom + Gap - 4}", null, "next"));
            if (s.Type == StepType.Branch)
            {
                Jump(b, s.Then, "then", "yes");
                Jump(b, s.Else, "else", "no");
            }
            if (s.Type == StepType.Goto) Jump(b, s.To, "goto", "go to");
        }
        Boxes = boxes;
        Arrows = arrows;
        Width = Left + BoxWidth + 60 + lane * 26 + 60;
        Height = Top + Math.Max(1, boxes.Count) * (BoxHeight + Gap);

        void Jump(Box from, string? target, string kind, string label)
        {
            if (target is null || !byId.TryGetValue(target, out var to)) return;
            lane++;
            var x0 = from.X + BoxWidth;
            var y0 = from.Y + BoxHeight / 2 + (kind == "else" ? 12 : -12);
            var y1 = to.Y + BoxHeight / 2;
            var bend = x0 + 20 + lane * 26;
            // The curve's middle (a cubic's point at t = ½), where its label sits.
            arrows.Add(new Arrow($"M{x0},{y0} C{bend},{y0} {bend},{y1} {x0 + 4},{y1}", label, kind, (x0 + 3 * bend) / 4 + 4, (y0 + y1) / 2 + 4));
        }
    }
}
