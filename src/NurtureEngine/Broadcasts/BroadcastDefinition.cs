using NurtureEngine.Sequences;

namespace NurtureEngine.Broadcasts;

/// <summary>A broadcast as the API and the admin write it (API.md "Broadcasts").</summary>
public sealed class BroadcastDefinition
{
    public string? Name { get; set; }
    public string? Template { get; set; }
    /// <summary>A saved segment's key; or <see cref="Filter"/>, a condition evaluated when sending starts.</summary>
    public string? Segment { get; set; }
    public Condition? Filter { get; set; }
    /// <summary>The subscription topic: leads that left it are not in the audience.</summary>
    public string? Topic { get; set; }
    public DateTimeOffset? SendAt { get; set; }
    /// <summary>Send at <see cref="SendAt"/>'s wall-clock time in each lead's own time zone.</summary>
    public bool LocalTime { get; set; }
    public AbTest? AbTest { get; set; }

    /// <summary>
    /// The templates that compete, index = variant. Without an A/B test, the template alone. With one, its
    /// variants; a single variant that differs from <see cref="Template"/> competes against it (A = the template).
    /// </summary>
    public List<(string Template, int Weight)> Contenders()
    {
        if (AbTest?.Variants is not { Count: > 0 } variants) return [(Template!, 1)];
        var list = variants.Select(v => (v.Template!, v.Weight ?? 1)).ToList();
        if (list.Count == 1 && list[0].Item1 != Template) list.Insert(0, (Template!, list[0].Item2));
        return list;
    }
}

public sealed class AbTest
{
    public List<AbVariant>? Variants { get; set; }
    public int? SamplePercent { get; set; }
    /// <summary><c>clicks</c>, <c>replies</c> or <c>opens</c> (machine opens excluded).</summary>
    public string? WinnerBy { get; set; }
    public string? DecideAfter { get; set; }
}

public sealed class AbVariant
{
    public string? Template { get; set; }
    public int? Weight { get; set; }
}

public static class WinnerBy
{
    public const string Clicks = "clicks", Replies = "replies", Opens = "opens";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { Clicks, Replies, Opens };
}
