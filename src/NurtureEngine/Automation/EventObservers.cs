using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Scoring;
using NurtureEngine.Sequences;

namespace NurtureEngine.Automation;

/// <summary>What can react to an event type, from the least to the most.</summary>
public enum EventReach
{
    /// <summary>Nothing: the event only adds a timeline row.</summary>
    Nothing,
    /// <summary>Scoring rules only, and no condition tests a score: the event adds points (and may cross a threshold).</summary>
    ScoringOnly,
    /// <summary>A trigger or condition names it, or a condition tests a score: the full reaction path.</summary>
    More,
}

/// <summary>
/// Whether anything can react to an event type: a scoring rule, an event trigger, or a condition
/// (exitWhen, branch, segment filter) that names it. An event nothing observes changes nothing a
/// condition can see (it only adds a timeline row), so segment and exitWhen re-evaluation can be
/// skipped for it: that is most <c>email_sent</c> rows. Conservative: any mention of the event name
/// in a sequence definition or segment filter counts as observing it. Remembered per unit of work.
/// </summary>
public sealed class EventObservers(NurtureDbContext db, ScoringStore scoring)
{
    private readonly Dictionary<string, EventReach> _known = new(StringComparer.Ordinal);
    private bool? _scoreTested;

    public async Task<bool> ObservedAsync(string eventType, CancellationToken ct) => await ReachAsync(eventType, ct) != EventReach.Nothing;

    public async Task<EventReach> ReachAsync(string eventType, CancellationToken ct)
    {
        if (_known.TryGetValue(eventType, out var known)) return known;
        var config = await scoring.GetAsync(ct);
        var scored = config.Rules.Any(r => r.Event == eventType && r.Points != 0);
        var named = await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM nurture.sequence WHERE trigger_type = {TriggerType.Event} AND trigger_key = {eventType})
                OR EXISTS (SELECT 1 FROM nurture.sequence_version WHERE strpos(definition::text, {eventType}) > 0)
                OR EXISTS (SELECT 1 FROM nurture.segment WHERE strpos(filter::text, {eventType}) > 0) AS "Value"
            """).SingleAsync(ct);
        var reach = named ? EventReach.More : !scored ? EventReach.Nothing : await ScoreTestedAsync(ct) ? EventReach.More : EventReach.ScoringOnly;
        return _known[eventType] = reach;
    }

    /// <summary>A condition somewhere (exitWhen, branch, segment filter) tests a lead's score: then points are more than a number.</summary>
    private async Task<bool> ScoreTestedAsync(CancellationToken ct) => _scoreTested ??= await db.Database.SqlQuery<bool>($"""
        SELECT EXISTS (SELECT 1 FROM nurture.sequence_version WHERE strpos(definition::text, {ConditionType.ScoreAtLeast}) > 0)
            OR EXISTS (SELECT 1 FROM nurture.segment WHERE strpos(filter::text, {ConditionType.ScoreAtLeast}) > 0) AS "Value"
        """).SingleAsync(ct);
}
