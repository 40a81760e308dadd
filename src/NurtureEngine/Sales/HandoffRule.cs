using System.Text.Json;
using NurtureEngine.Common;
using NurtureEngine.Leads;

namespace NurtureEngine.Sales;

/// <summary>
/// A stage that must be accepted by sales: <c>{ "assign": "round_robin" | { "by": "attributes.region", "map": { "emea": "a@x" } },
/// "team": [ "a@x", "b@x" ], "acceptWithin": "PT4H", "manager": "m@x", "recycleTo": "nurture" }</c>. The same assignment
/// rule (<c>assign</c>, <c>team</c>) is what an <c>assign_owner</c> sequence step takes.
/// </summary>
public sealed class HandoffRule
{
    /// <summary>The string <c>round_robin</c>, or an object <c>{ by, map }</c>.</summary>
    public JsonElement? Assign { get; set; }
    public List<string>? Team { get; set; }
    public string? AcceptWithin { get; set; }
    /// <summary>Told by email when the assigned rep lets <see cref="AcceptWithin"/> pass.</summary>
    public string? Manager { get; set; }
    /// <summary>The stage (of the same pipeline) a rejected lead goes back to, unless the rep chooses another.</summary>
    public string? RecycleTo { get; set; }

    public const string RoundRobin = "round_robin";
    public const string DefaultAcceptWithin = "P1D";

    public bool IsRoundRobin => Assign is not { ValueKind: JsonValueKind.Object };

    public TimeSpan AcceptWindow => Iso8601Duration.TryParse(AcceptWithin ?? DefaultAcceptWithin) ?? TimeSpan.FromDays(1);

    public (string By, Dictionary<string, string> Map)? ByAttribute =>
        Assign is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("by", out var by) && by.ValueKind == JsonValueKind.String
            ? (by.GetString()!, o.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Object
                ? map.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!)
                : [])
            : null;

    /// <summary>The owner the attribute map gives this lead, or null (no map, no value, or a value the map does not name).</summary>
    public string? MappedOwner(Lead lead) =>
        ByAttribute is { } byAttribute && lead.Attributes[byAttribute.By["attributes.".Length..]]?.ToString() is { } value
            && byAttribute.Map.TryGetValue(value, out var mapped) ? Normal(mapped) : null;

    /// <summary>The team member after <paramref name="owner"/> (the first when the owner is not in the team).</summary>
    public string NextAfter(string? owner)
    {
        var team = Team!.Select(Normal).ToList();
        return team[(team.IndexOf(owner ?? "") + 1) % team.Count];
    }

    public string TeamMember(long turn) => Normal(Team![(int)(turn % Team.Count)]);

    public static string Normal(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Adds each problem to <paramref name="errors"/> under <paramref name="at"/> (e.g. <c>stages[2].handoff</c>).</summary>
    public void Validate(string at, Errors errors)
    {
        if (Team is not { Count: > 0 } || Team.Any(t => !EmailAddress.IsValid(t))) errors.Add($"{at}.team", "a list of the team's email addresses is required");
        else if (Team.Count > 100) errors.Add($"{at}.team", "at most 100 people");
        if (Assign is { } a && !(a.ValueKind == JsonValueKind.String && a.GetString() == RoundRobin) && ByAttribute is null)
            errors.Add($"{at}.assign", "must be \"round_robin\" or { \"by\": \"attributes.<key>\", \"map\": { value: email } }");
        else if (ByAttribute is { } r)
        {
            if (!r.By.StartsWith("attributes.", StringComparison.Ordinal) || r.By.Length > 100) errors.Add($"{at}.assign.by", "must name a lead attribute, e.g. attributes.region");
            if (r.Map.Values.Any(v => !EmailAddress.IsValid(v))) errors.Add($"{at}.assign.map", "each value must be an email address");
        }
        if (AcceptWithin is not null && Iso8601Duration.TryParse(AcceptWithin) is null) errors.Add($"{at}.acceptWithin", "must be an ISO 8601 duration such as PT4H");
        if (Manager is not null && !EmailAddress.IsValid(Manager)) errors.Add($"{at}.manager", "must be an email address");
        if (RecycleTo is not null && !Slug.IsKey(RecycleTo)) errors.Add($"{at}.recycleTo", "must be a stage key");
    }
}
