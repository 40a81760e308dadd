using System.Text;
using System.Text.Json;
using Npgsql;
using NurtureEngine.Common;
using NurtureEngine.Sequences;

namespace NurtureEngine.Segments;

/// <summary>
/// A segment filter as one SQL predicate on <c>nurture.lead l</c>, so counting or filling a segment is
/// one statement instead of evaluating every lead in .NET (a query or more per lead at 1,000,000 leads).
/// It means what <see cref="Automation.ConditionEvaluator"/> means with no enrollment (the per-lead path
/// that keeps membership current); <c>ConditionSqlTests</c> holds the two to the same answers.
/// Every atom is <c>COALESCE(…, false)</c>, so <c>not</c> of a missing value is true, as in .NET.
/// </summary>
public sealed class ConditionSql
{
    private const string Numeric = @"'^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$'";
    private readonly List<NpgsqlParameter> _parameters = [];
    private readonly DateTimeOffset _now;

    private ConditionSql(DateTimeOffset now) => _now = now;

    /// <summary>The predicate (with <c>@c0</c>, <c>@c1</c>… placeholders) and its parameters.</summary>
    public static (string Sql, NpgsqlParameter[] Parameters) Where(Condition c, DateTimeOffset now)
    {
        var builder = new ConditionSql(now);
        var sql = builder.Translate(c);
        return (sql, builder._parameters.ToArray());
    }

    private string P(object value)
    {
        var name = $"c{_parameters.Count}";
        _parameters.Add(new NpgsqlParameter(name, value));
        return "@" + name;
    }

    private static string Atom(string sql) => $"COALESCE(({sql}), false)";

    private string Translate(Condition c) => c.Type switch
    {
        ConditionType.Opened => Engaged(Timeline.ActivityKind.EmailOpened, c),
        ConditionType.Clicked => Engaged(Timeline.ActivityKind.EmailClicked, c),
        ConditionType.Replied => Engaged(Timeline.ActivityKind.EmailReplied, c),
        ConditionType.Event => Event(c),
        ConditionType.StageEntered => Atom("EXISTS (SELECT 1 FROM nurture.stage_change sc JOIN nurture.stage st ON st.id = sc.to_stage_id "
            + $"WHERE sc.lead_id = l.id AND st.key = {P(c.Stage ?? "")})"),
        ConditionType.InStage => Atom($"EXISTS (SELECT 1 FROM nurture.stage st WHERE st.id = l.stage_id AND st.key = {P(c.Stage ?? "")})"),
        ConditionType.ScoreAtLeast => Atom($"l.score >= {P(c.Score ?? 0)}"),
        ConditionType.HasTag => c.Tag is null ? "false" : Atom($"{P(c.Tag)} = ANY(l.tags)"),
        ConditionType.Attribute => c.Key is null ? "false" : Atom(Attribute(c, c.Key)),
        ConditionType.InSegment => Atom("EXISTS (SELECT 1 FROM nurture.segment_member sm JOIN nurture.segment sg ON sg.id = sm.segment_id "
            + $"WHERE sm.lead_id = l.id AND sg.key = {P(c.Segment ?? "")})"),
        ConditionType.All => c.Of is { Count: > 0 } all ? "(" + string.Join(" AND ", all.Select(Translate)) + ")" : "true",
        ConditionType.Any => c.Of is { Count: > 0 } any ? "(" + string.Join(" OR ", any.Select(Translate)) + ")" : "false",
        ConditionType.Not => c.Inner is null ? "false" : $"NOT ({Translate(c.Inner)})",
        _ => "false",
    };

    /// <summary>At least <c>count</c> (default 1) events of the type, in the window, whose properties match <c>where</c> (<see cref="Automation.PropertyFilter"/>).</summary>
    private string Event(Condition c)
    {
        var from = new StringBuilder($"FROM nurture.activity a WHERE a.lead_id = l.id AND a.event_type = {P(c.Event ?? "")}");
        if (Iso8601Duration.TryParse(c.Within) is { } within) from.Append($" AND a.at >= {P(_now - within)}");
        foreach (var (key, glob) in c.Where ?? [])
        {
            var k = P(key);
            from.Append($" AND COALESCE(a.data -> 'properties' ->> {k}, a.data ->> {k}) ILIKE {P(Automation.PropertyFilter.LikePattern(glob))}");
        }
        return (c.Count ?? 1) <= 1 ? Atom($"EXISTS (SELECT 1 {from})") : Atom($"(SELECT count(*) {from}) >= {P((long)c.Count!.Value)}");
    }

    /// <summary>An engagement with any of the lead's sent emails (of one step), within the given time of its sending.</summary>
    private string Engaged(string kind, Condition c)
    {
        var sql = new StringBuilder("EXISTS (SELECT 1 FROM nurture.message m JOIN nurture.activity a ON a.message_id = m.id AND a.kind = ")
            .Append(P(kind)).Append(" WHERE m.lead_id = l.id AND m.sent_at IS NOT NULL");
        if (c.Step is not null) sql.Append(" AND m.step_id = ").Append(P(c.Step));
        if (c.Broadcast is not null) sql.Append(" AND m.broadcast_id = (SELECT b.id FROM nurture.broadcast b WHERE b.key = ").Append(P(c.Broadcast)).Append(')');
        if (Iso8601Duration.TryParse(c.Within) is { } within) sql.Append(" AND a.at <= m.sent_at + ").Append(P(within));
        return Atom(sql.Append(')').ToString());
    }

    /// <summary>A lead field's value as text, like <see cref="Automation.ConditionEvaluator.LeadField"/>'s <c>ToString()</c>; null for an attribute.</summary>
    private static string? LeadColumn(string key) => key switch
    {
        "email" => "l.email",
        "firstName" or "first_name" => "l.first_name",
        "lastName" or "last_name" => "l.last_name",
        "company" => "l.company",
        "jobTitle" or "job_title" => "l.job_title",
        "timeZone" or "time_zone" => "l.time_zone",
        "source" => "l.source",
        "owner" => "l.owner",
        "score" => "l.score::text",
        "dealValue" or "deal_value" => "l.deal_value::text",
        "status" => "lower(l.status)",
        _ => null,
    };

    private string Attribute(Condition c, string key)
    {
        var column = LeadColumn(key);
        var attribute = column is null ? key : null;
        var value = column ?? $"(l.attributes ->> {P(key)})";
        if (c.EqualTo is { } eq) return Same(attribute, value, eq);
        if (c.In is { } list) return list.Count == 0 ? "false" : "(" + string.Join(" OR ", list.Select(v => Same(attribute, value, v))) + ")";
        if (c.Gte is { } gte) return Compare(value, gte, ">=");
        if (c.Lte is { } lte) return Compare(value, lte, "<=");
        return $"{value} IS NOT NULL";
    }

    /// <summary>Strings compare ignoring case; numbers as numbers; true/false only to a JSON boolean attribute (not the text "true").</summary>
    private string Same(string? attribute, string value, JsonElement expected) => expected.ValueKind switch
    {
        JsonValueKind.String => $"lower({value}) = lower({P(expected.GetString()!)})",
        JsonValueKind.Number => AsNumber(value, $"= {P(expected.GetDecimal())}"),
        JsonValueKind.True or JsonValueKind.False when attribute is not null =>
            $"(jsonb_typeof(l.attributes -> {P(attribute)}) = 'boolean' AND {value} = {P(expected.ValueKind == JsonValueKind.True ? "true" : "false")})",
        _ => "false",
    };

    /// <summary>Text that reads as a number, compared as one (CASE: PostgreSQL may evaluate an AND's sides in any order).</summary>
    private static string AsNumber(string value, string comparison) =>
        $"CASE WHEN {value} ~ {Numeric} THEN {value}::numeric {comparison} ELSE false END";

    /// <summary>A number bound compares numerically (text that is no number: false); a string bound ordinally.</summary>
    private string Compare(string value, JsonElement bound, string op) => bound.ValueKind switch
    {
        JsonValueKind.Number => AsNumber(value, $"{op} {P(bound.GetDecimal())}"),
        JsonValueKind.String => $"{value} COLLATE \"C\" {op} {P(bound.GetString()!)}",
        _ => "false",
    };
}
