using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Data;

namespace NurtureEngine.Segments;

/// <summary>
/// When a lead's membership of a time-relative segment (an <c>event</c> condition with <c>within</c>)
/// changes by the clock alone: "logged in within P7D" stops holding seven days after the last login,
/// with nothing happening to the lead. One row per (segment, lead), written when the lead is evaluated.
/// </summary>
public sealed class SegmentRecheck
{
    public long SegmentId { get; set; }
    public Guid LeadId { get; set; }
    public DateTimeOffset DueAt { get; set; }
}

/// <summary>
/// Runs every minute: leads whose time-relative segment membership is due to change are evaluated
/// again as if they had changed (segments first, so <c>segment_entered</c> triggers enroll; then
/// exitWhen). Due rows are taken with <c>SKIP LOCKED</c> and deleted in the same transaction as the
/// evaluation, so a killed run leaves them for the next, and two workers never take the same row.
/// </summary>
public sealed class SegmentRecheckJob(NurtureDbContext db, UnitOfWork work, SequenceReactions reactions, TimeProvider clock)
{
    public const string Id = "segment-recheck";
    private const int Batch = 100;

    /// <summary>Returns how many leads were evaluated again.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var leads = 0;
        while (!ct.IsCancellationRequested)
        {
            var (rows, evaluated) = await work.RunAsync(async c =>
            {
                var now = clock.GetUtcNow();
                var leadIds = await db.Database.SqlQuery<Guid>($"""
                    DELETE FROM nurture.segment_recheck r
                    USING (SELECT segment_id, lead_id FROM nurture.segment_recheck WHERE due_at <= {now}
                           ORDER BY due_at LIMIT {Batch} FOR UPDATE SKIP LOCKED) due
                    WHERE r.segment_id = due.segment_id AND r.lead_id = due.lead_id
                    RETURNING r.lead_id AS "Value"
                    """).ToListAsync(c);
                var distinct = leadIds.Distinct().ToList();
                var leads = await db.Leads.Where(l => distinct.Contains(l.Id)).OrderBy(l => l.Id).ForUpdate().ToListAsync(c);
                foreach (var lead in leads) await reactions.LeadChangedAsync(lead, c);
                return (leadIds.Count, distinct.Count);
            }, ct);
            leads += evaluated;
            if (rows < Batch) break;
        }
        return leads;
    }
}
