using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;

namespace NurtureEngine.Automation;

/// <summary>
/// For the set-based paths (a batch of emails, a batch of score moves): which enrollments an exit condition can
/// be decided for without evaluating it. A condition that <see cref="NeedsEvidence"/> is false while nothing it
/// looks at has happened since the lead enrolled; <see cref="TouchedAsync"/> finds, in one query, the enrollments
/// for which something has, and the caller leaves those to the general path, which evaluates the condition.
/// </summary>
public static class ExitEvidence
{
    /// <summary>
    /// A condition that can only hold once something has happened since the lead enrolled (a stage entered, an
    /// email of this enrollment opened, clicked or replied to, an event): with no such row it is false. A
    /// negation, a state (stage, score, tag, attribute, segment) or a broadcast's email is not of this kind.
    /// </summary>
    public static bool NeedsEvidence(Condition c) => c.Type switch
    {
        ConditionType.StageEntered or ConditionType.Event => true,
        ConditionType.Opened or ConditionType.Clicked or ConditionType.Replied => c.Broadcast is null,
        ConditionType.All => c.Of is { Count: > 0 } all && all.Any(NeedsEvidence), // every part must hold, so one that needs evidence does
        ConditionType.Any => (c.Of ?? []).All(NeedsEvidence),
        _ => false,
    };

    /// <summary>Whether the condition, or a part of it, is <c>stage_entered</c> of a stage with this key.</summary>
    public static bool NamesStageEntered(Condition c, string stageKey) =>
        (c.Type == ConditionType.StageEntered && c.Stage == stageKey) || (c.Of ?? []).Any(x => NamesStageEntered(x, stageKey))
        || (c.Inner is { } inner && NamesStageEntered(inner, stageKey));

    /// <summary>Whether the condition, or a part of it, looks at events over a window that may reach back before the enrollment.</summary>
    public static bool LooksBack(Condition c) => Windows(c).Any();

    /// <summary>
    /// The enrollments (of <paramref name="enrollmentIds"/>) for which something has happened since they enrolled that one
    /// of <paramref name="conditions"/> looks at: a stage change, or an event of a type they name (within their windows).
    /// </summary>
    public static async Task<HashSet<long>> TouchedAsync(NurtureDbContext db, long[] enrollmentIds, IReadOnlyCollection<Condition> conditions,
        DateTimeOffset now, CancellationToken ct)
    {
        if (enrollmentIds.Length == 0 || conditions.Count == 0) return [];
        var eventTypes = conditions.SelectMany(EventTypes).Distinct().ToArray();
        var stageEntered = conditions.Any(c => Any(c, ConditionType.StageEntered));
        var windowStart = now - conditions.SelectMany(Windows).DefaultIfEmpty(TimeSpan.Zero).Max();
        return (await db.Database.SqlQuery<long>($"""
            SELECT e.id AS "Value" FROM nurture.enrollment e
            WHERE e.id = ANY({enrollmentIds})
              AND (({stageEntered} AND EXISTS (SELECT 1 FROM nurture.stage_change sc WHERE sc.lead_id = e.lead_id AND sc.at >= e.enrolled_at))
                   OR EXISTS (SELECT 1 FROM nurture.activity a WHERE a.lead_id = e.lead_id AND a.event_type = ANY({eventTypes})
                              AND a.at >= LEAST(e.enrolled_at, {windowStart})))
            """).ToListAsync(ct)).ToHashSet();
    }

    private static IEnumerable<string> EventTypes(Condition c) => c.Type switch
    {
        ConditionType.Event => c.Event is null ? [] : [c.Event],
        ConditionType.Opened => [ActivityKind.EmailOpened],
        ConditionType.Clicked => [ActivityKind.EmailClicked],
        ConditionType.Replied => [ActivityKind.EmailReplied],
        ConditionType.All or ConditionType.Any => (c.Of ?? []).SelectMany(EventTypes),
        _ => [],
    };

    private static bool Any(Condition c, string type) => c.Type == type || (c.Of ?? []).Any(x => Any(x, type));

    /// <summary>Event conditions with <c>within</c> look back from now, possibly to before the enrollment.</summary>
    private static IEnumerable<TimeSpan> Windows(Condition c) =>
        (c.Type == ConditionType.Event && Iso8601Duration.TryParse(c.Within) is { } w ? [w] : Enumerable.Empty<TimeSpan>())
        .Concat((c.Of ?? []).SelectMany(Windows));
}
