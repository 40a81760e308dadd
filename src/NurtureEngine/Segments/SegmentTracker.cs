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
    private List<(Segment Segment, Condition Filter)>? _segments;

    public async Task RefreshAsync(Lead lead, CancellationToken ct)
    {
        _segments ??= (await db.Segments.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct))
            .Select(s => (s, Json.Deserialize<Condition>(s.FilterJson))).ToList();
        if (_segments.Count == 0) return;
        await db.SaveChangesAsync(ct);
        var memberOf = (await db.SegmentMembers.Where(m => m.LeadId == lead.Id).Select(m => m.SegmentId).ToListAsync(ct)).ToHashSet();
        foreach (var (segment, filter) in _segments)
        {
            var inside = await conditions.EvaluateAsync(filter, lead, null, ct);
            await ScheduleRecheckAsync(segment.Id, filter, lead, ct);
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
    /// for <see cref="SegmentRecheckJob"/>. Other filters change only with the lead, and cost nothing here.
    /// </summary>
    private async Task ScheduleRecheckAsync(long segmentId, Condition filter, Lead lead, CancellationToken ct)
    {
        if (!ConditionEvaluator.IsTimeRelative(filter)) return;
        if (await conditions.NextChangeAsync(filter, lead, ct) is { } at)
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO nurture.segment_recheck (segment_id, lead_id, due_at) VALUES ({segmentId}, {lead.Id}, {at})
                ON CONFLICT (segment_id, lead_id) DO UPDATE SET due_at = excluded.due_at
                """, ct);
        else
            await db.SegmentRechecks.Where(r => r.SegmentId == segmentId && r.LeadId == lead.Id).ExecuteDeleteAsync(ct);
    }

    /// <summary>Members a filter would have now: every lead evaluated, in batches, exactly as a rebuild does.</summary>
    public async Task<int> CountAsync(Condition filter, CancellationToken ct)
    {
        var count = 0;
        Guid? after = null;
        while (true)
        {
            var batch = await db.Leads.AsNoTracking().Where(l => after == null || l.Id.CompareTo(after.Value) > 0).OrderBy(l => l.Id).Take(500).ToListAsync(ct);
            if (batch.Count == 0) return count;
            foreach (var lead in batch)
                if (await conditions.EvaluateAsync(filter, lead, null, ct)) count++;
            after = batch[^1].Id;
        }
    }

    /// <summary>A new or changed segment: every lead is evaluated once (in batches) to fill membership.</summary>
    public async Task RebuildAsync(Segment segment, CancellationToken ct)
    {
        var filter = Json.Deserialize<Condition>(segment.FilterJson);
        var members = (await db.SegmentMembers.Where(m => m.SegmentId == segment.Id).Select(m => m.LeadId).ToListAsync(ct)).ToHashSet();
        Guid? after = null;
        while (true)
        {
            var batch = await db.Leads.Where(l => after == null || l.Id.CompareTo(after.Value) > 0).OrderBy(l => l.Id).Take(500).ToListAsync(ct);
            if (batch.Count == 0) break;
            foreach (var lead in batch)
            {
                var inside = await conditions.EvaluateAsync(filter, lead, null, ct);
                await ScheduleRecheckAsync(segment.Id, filter, lead, ct);
                if (inside && !members.Contains(lead.Id))
                    db.SegmentMembers.Add(new SegmentMember { SegmentId = segment.Id, LeadId = lead.Id, Since = clock.GetUtcNow() });
                else if (!inside && members.Contains(lead.Id))
                    await db.SegmentMembers.Where(m => m.SegmentId == segment.Id && m.LeadId == lead.Id).ExecuteDeleteAsync(ct);
            }
            await db.SaveChangesAsync(ct);
            after = batch[^1].Id;
        }
        _segments = null;
    }
}
