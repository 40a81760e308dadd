using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;

namespace NurtureEngine.Segments;

/// <summary>
/// Keeps segment membership current in the same transaction as the change that causes it (no
/// nightly rebuild): entering is on the timeline and fires <c>segment_entered</c> triggers;
/// leaving is on the timeline too.
/// </summary>
public sealed class SegmentTracker(NurtureDbContext db, ConditionEvaluator conditions, TimelineWriter timeline, Enroller enroller, TimeProvider clock)
{
    private List<(Segment Segment, Condition Filter, bool TimeRelative)>? _segments;

    public async Task RefreshAsync(Lead lead, CancellationToken ct)
    {
        _segments ??= (await db.Segments.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct))
            .Select(s =>
            {
                var filter = Json.Deserialize<Condition>(s.FilterJson);
                return (s, filter, ConditionEvaluator.TimeWindows(filter).Any());
            }).ToList();
        if (_segments.Count == 0) return;
        await db.SaveChangesAsync(ct);
        var memberOf = (await db.SegmentMembers.Where(m => m.LeadId == lead.Id).Select(m => m.SegmentId).ToListAsync(ct)).ToHashSet();
        foreach (var (segment, filter, timeRelative) in _segments)
        {
            var inside = await conditions.EvaluateAsync(filter, lead, null, ct);
            if (timeRelative) await ScheduleRecheckAsync(segment.Id, filter, lead, ct);
            if (inside == memberOf.Contains(segment.Id)) continue;
            if (inside)
            {
                db.SegmentMembers.Add(new SegmentMember { SegmentId = segment.Id, LeadId = lead.Id, Since = clock.GetUtcNow() });
                timeline.Add(lead.Id, "segment_entered", $"Entered segment \"{segment.Name}\"", new { segment = segment.Key });
                await db.SaveChangesAsync(ct);
                foreach (var sequence in await db.Sequences.Where(s => s.TriggerType == TriggerType.SegmentEntered && s.TriggerKey == segment.Key).ToListAsync(ct))
                    await enroller.EnrollAsync(lead, sequence, $"entered segment {segment.Key}", ct);
            }
            else
            {
                await db.SegmentMembers.Where(m => m.SegmentId == segment.Id && m.LeadId == lead.Id).ExecuteDeleteAsync(ct);
                timeline.Add(lead.Id, "segment_left", $"Left segment \"{segment.Name}\"", new { segment = segment.Key });
                await db.SaveChangesAsync(ct);
            }
        }
    }

    /// <summary>
    /// A time-relative filter ("event login within P7D") changes its answer with the clock alone: note when,
    /// for <see cref="SegmentRecheckJob"/>. Called only for such filters; the others change only with the lead.
    /// </summary>
    private async Task ScheduleRecheckAsync(long segmentId, Condition filter, Lead lead, CancellationToken ct)
    {
        if (await conditions.NextChangeAsync(filter, lead, ct) is { } at)
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO nurture.segment_recheck (segment_id, lead_id, due_at) VALUES ({segmentId}, {lead.Id}, {at})
                ON CONFLICT (segment_id, lead_id) DO UPDATE SET due_at = excluded.due_at
                """, ct);
        else
            await db.SegmentRechecks.Where(r => r.SegmentId == segmentId && r.LeadId == lead.Id).ExecuteDeleteAsync(ct);
    }

    /// <summary>Members a filter would have now: one counting statement (<see cref="ConditionSql"/>).</summary>
    public async Task<int> CountAsync(Condition filter, CancellationToken ct)
    {
        var (where, parameters) = ConditionSql.Where(filter, clock.GetUtcNow());
        // The predicate is SQL this code wrote; every value in it is a parameter.
        var sql = "SELECT count(*)::int AS \"Value\" FROM nurture.lead l WHERE " + where;
        return await db.Database.SqlQueryRaw<int>(sql, parameters).SingleAsync(ct);
    }

    /// <summary>
    /// A new or changed segment: membership filled by two set-based statements (who left, who joined),
    /// without timeline rows or triggers: nobody changed, the segment did. For a time-relative filter,
    /// the leads with a counted event still in its window get their recheck time.
    /// </summary>
    public async Task RebuildAsync(Segment segment, CancellationToken ct)
    {
        var filter = Json.Deserialize<Condition>(segment.FilterJson);
        var now = clock.GetUtcNow();
        var (where, parameters) = ConditionSql.Where(filter, now);
        var id = new Npgsql.NpgsqlParameter("segment", segment.Id);
        var since = new Npgsql.NpgsqlParameter("since", now);
        // The predicate is SQL this code wrote; every value in it is a parameter (cloned: one command each).
        var left = "DELETE FROM nurture.segment_member sm WHERE sm.segment_id = @segment"
            + " AND NOT EXISTS (SELECT 1 FROM nurture.lead l WHERE l.id = sm.lead_id AND " + where + ")";
        await db.Database.ExecuteSqlRawAsync(left, [.. parameters.Select(p => p.Clone()), id.Clone()], ct);
        var joined = "INSERT INTO nurture.segment_member (segment_id, lead_id, since) SELECT @segment, l.id, @since"
            + " FROM nurture.lead l WHERE " + where + " ON CONFLICT DO NOTHING";
        await db.Database.ExecuteSqlRawAsync(joined, [.. parameters, id, since], ct);
        await db.SegmentRechecks.Where(r => r.SegmentId == segment.Id).ExecuteDeleteAsync(ct);
        foreach (var (type, window) in ConditionEvaluator.TimeWindows(filter))
        {
            var from = now - window;
            foreach (var leadId in await db.Activities.Where(a => a.EventType == type && a.At >= from).Select(a => a.LeadId).Distinct().ToListAsync(ct))
                if (await db.Leads.FindAsync([leadId], ct) is { } lead) await ScheduleRecheckAsync(segment.Id, filter, lead, ct);
        }
        _segments = null;
    }
}
