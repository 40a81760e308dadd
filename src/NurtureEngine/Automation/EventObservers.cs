using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Scoring;
using NurtureEngine.Sequences;

namespace NurtureEngine.Automation;

/// <summary>
/// Whether anything can react to an event type: a scoring rule, an event trigger, or a condition
/// (exitWhen, branch, segment filter) that names it. An event nothing observes changes nothing a
/// condition can see (it only adds a timeline row), so segment and exitWhen re-evaluation can be
/// skipped for it: that is most <c>email_sent</c> rows. Conservative: any mention of the event name
/// in a sequence definition or segment filter counts as observing it. Remembered per unit of work.
/// </summary>
public sealed class EventObservers(NurtureDbContext db, ScoringStore scoring)
{
    private readonly Dictionary<string, bool> _known = new(StringComparer.Ordinal);

    public async Task<bool> ObservedAsync(string eventType, CancellationToken ct)
    {
        if (_known.TryGetValue(eventType, out var known)) return known;
        var config = await scoring.GetAsync(ct);
        var observed = config.Rules.Any(r => r.Event == eventType && r.Points != 0)
            || await db.Database.SqlQuery<bool>($"""
                SELECT EXISTS (SELECT 1 FROM nurture.sequence WHERE trigger_type = {TriggerType.Event} AND trigger_key = {eventType})
                    OR EXISTS (SELECT 1 FROM nurture.sequence_version WHERE strpos(definition::text, {eventType}) > 0)
                    OR EXISTS (SELECT 1 FROM nurture.segment WHERE strpos(filter::text, {eventType}) > 0) AS "Value"
                """).SingleAsync(ct);
        return _known[eventType] = observed;
    }
}
