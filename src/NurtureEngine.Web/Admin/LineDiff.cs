namespace NurtureEngine.Web.Admin;

/// <summary>A line diff (longest common subsequence) for template version history.</summary>
public static class LineDiff
{
    public enum Change { Same, Added, Removed }

    public sealed record Line(Change Change, string Text);

    private const int MaxLines = 3000;

    public static IReadOnlyList<Line> Compute(string? before, string? after)
    {
        var a = Split(before);
        var b = Split(after);
        if ((long)a.Length * b.Length > (long)MaxLines * MaxLines)
            return [.. a.Select(l => new Line(Change.Removed, l)), .. b.Select(l => new Line(Change.Added, l))];
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var result = new List<Line>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { result.Add(new Line(Change.Same, a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) result.Add(new Line(Change.Removed, a[x++]));
            else result.Add(new Line(Change.Added, b[y++]));
        }
        while (x < a.Length) result.Add(new Line(Change.Removed, a[x++]));
        while (y < b.Length) result.Add(new Line(Change.Added, b[y++]));
        return result;
    }

    private static string[] Split(string? s) => string.IsNullOrEmpty(s) ? [] : s.Replace("\r\n", "\n").Split('\n');
}
