using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Tasks;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sales;

/// <summary>
/// A stage that must be accepted by sales: <c>{ "assign": "round_robin" | { "by": "attributes.region", "map": { "emea": "a@x" } },
/// "team": [ "a@x", "b@x" ], "acceptWithin": "PT4H" }</c>.
/// </summary>
public sealed class HandoffRule
{
    /// <summary>The string <c>round_robin</c>, or an object <c>{ by, map }</c>.</summary>
    public JsonElement? Assign { get; set; }
    public List<string>? Team { get; set; }
    public string? AcceptWithin { get; set; }

    public const string RoundRobin = "round_robin";

    public bool IsRoundRobin => Assign is not { ValueKind: JsonValueKind.Object };

    public (string By, Dictionary<string, string> Map)? ByAttribute =>
        Assign is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("by", out var by) && by.ValueKind == JsonValueKind.String
            ? (by.GetString()!, o.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Object
                ? map.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!)
                : [])
            : null;

    /// <summary>Adds each problem to <paramref name="errors"/> under <paramref name="at"/> (e.g. <c>stages[2].handoff</c>).</summary>
    public void Validate(string at, Errors errors)
    {
        if (Team is not { Count: > 0 } || Team.Any(t => !EmailAddress.IsValid(t))) errors.Add($"{at}.team", "a list of the team's email addresses is required");
        else if (Team.Count > 100) errors.Add($"{at}.team", "at most 100 people");
        if (Assign is { } a && !(a.ValueKind == JsonValueKind.String && a.GetString() == RoundRobin) && ByAttribute is not { } rule)
            errors.Add($"{at}.assign", "must be \"round_robin\" or { \"by\": \"attributes.<key>\", \"map\": { value: email } }");
        else if (ByAttribute is { } r)
        {
            if (!r.By.StartsWith("attributes.", StringComparison.Ordinal) || r.By.Length > 100) errors.Add($"{at}.assign.by", "must name a lead attribute, e.g. attributes.region");
            if (r.Map.Values.Any(v => !EmailAddress.IsValid(v))) errors.Add($"{at}.assign.map", "each value must be an email address");
        }
        if (AcceptWithin is not null && Iso8601Duration.TryParse(AcceptWithin) is not { } d) errors.Add($"{at}.acceptWithin", "must be an ISO 8601 duration such as PT4H");
    }
}

/// <summary>
/// Entering a hand-off stage gives the lead an owner from the stage's team (round robin by a counter kept
/// on the stage row, so concurrent entries take turns; or by an attribute's value through a map, falling
/// back to round robin) and that owner a task to accept or reject the lead within <c>acceptWithin</c>.
/// </summary>
public sealed class HandoffService(NurtureDbContext db, TimelineWriter timeline, TimeProvider clock)
{
    public const string Assigned = "handoff_assigned";

    public async Task AssignAsync(Lead lead, Stage stage, CancellationToken ct)
    {
        if (stage.HandoffJson is null || Json.Deserialize<HandoffRule>(stage.HandoffJson) is not { Team.Count: > 0 } rule) return;
        var owner = rule.ByAttribute is { } byAttribute && lead.Attributes[byAttribute.By["attributes.".Length..]]?.ToString() is { } value
            && byAttribute.Map.TryGetValue(value, out var mapped) ? mapped : null;
        if (owner is null)
        {
            var turn = (await db.Database.SqlQuery<long>($"""
                UPDATE nurture.stage SET handoff_turn = handoff_turn + 1 WHERE id = {stage.Id} RETURNING handoff_turn - 1 AS "Value"
                """).ToListAsync(ct)).Single();
            owner = rule.Team![(int)(turn % rule.Team.Count)];
        }
        owner = owner.Trim().ToLowerInvariant();
        var now = clock.GetUtcNow();
        var within = Iso8601Duration.TryParse(rule.AcceptWithin ?? "P1D") ?? TimeSpan.FromDays(1);
        lead.Owner = owner;
        lead.UpdatedAt = now;
        var task = new SalesTask
        {
            LeadId = lead.Id, Owner = owner, Title = $"Accept or reject the hand-off ({stage.Name})", DueAt = now + within,
            CreatedAt = now, CreatedBy = $"hand-off {stage.Key}",
        };
        db.SalesTasks.Add(task);
        await db.SaveChangesAsync(ct);
        timeline.Add(lead.Id, Assigned, $"Handed off to {owner} in {stage.Name}: accept within {rule.AcceptWithin ?? "P1D"}",
            new { stage = stage.Key, owner, task = task.Id, acceptBy = task.DueAt, rule = rule.IsRoundRobin ? HandoffRule.RoundRobin : "attribute" });
    }
}
