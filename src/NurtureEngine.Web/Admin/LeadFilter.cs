using NurtureEngine.Leads;

namespace NurtureEngine.Web.Admin;

/// <summary>The lead list's filters, bound from the query string; shared by the list and the CSV export.</summary>
public sealed class LeadFilter
{
    public string? Q { get; set; }
    public string? Pipeline { get; set; }
    public string? Stage { get; set; }
    public int? MinScore { get; set; }
    public int? MaxScore { get; set; }
    public string? Owner { get; set; }
    public string? Tag { get; set; }
    public string? Status { get; set; }
    /// <summary>Empty: oldest first; <c>score</c>: highest first; <c>email</c>, <c>name</c>: A–Z.</summary>
    public string? Sort { get; set; }

    public LeadQuery ToQuery(string? cursor, int limit) => new(
        Stage: Blank(Stage), Pipeline: Blank(Pipeline), MinScore: MinScore, Owner: Blank(Owner)?.ToLowerInvariant(), Tag: Blank(Tag),
        Status: Blank(Status), Q: Blank(Q), Limit: limit, Cursor: cursor, MaxScore: MaxScore, Sort: Blank(Sort));

    /// <summary>The filters as a query string (without cursor), for paging and export links.</summary>
    public string QueryString()
    {
        var parts = new (string, string?)[]
        {
            ("q", Q), ("pipeline", Pipeline), ("stage", Stage), ("minScore", MinScore?.ToString()), ("maxScore", MaxScore?.ToString()),
            ("owner", Owner), ("tag", Tag), ("status", Status), ("sort", Sort),
        };
        return string.Join('&', parts.Where(p => !string.IsNullOrWhiteSpace(p.Item2)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!.Trim())}"));
    }

    /// <summary>The same filters in another order (paging starts again at page 1).</summary>
    public string SortedBy(string? sort)
    {
        var copy = (LeadFilter)MemberwiseClone();
        copy.Sort = sort;
        return copy.QueryString();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
