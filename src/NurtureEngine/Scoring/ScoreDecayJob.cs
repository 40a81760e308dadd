using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Scoring;

/// <summary>
/// Score decay (<c>decay: { percent, every }</c>): each lead with a positive score loses that percent
/// of it once per period since its last decay (or its creation), each time as a ledger entry on
/// its timeline, so the ledger always sums to the score. Runs hourly; leads are claimed with
/// <c>SKIP LOCKED</c> in batches and their period anchor moves with the decay, so a rerun or a
/// second worker never decays a lead twice for one period.
/// </summary>
public sealed partial class ScoreDecayJob(NurtureDbContext db, UnitOfWork work, ScoringStore scoring, ScoreKeeper scores,
    TimeProvider clock, ILogger<ScoreDecayJob> logger)
{
    public const string Id = "score-decay";
    private const int Batch = 200, MaxPeriodsAtOnce = 24;

    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var config = await scoring.GetAsync(ct);
        if (config.Decay is not { Percent: > 0 } decay || Iso8601Duration.TryParse(decay.Every) is not { } every) return 0;
        var now = clock.GetUtcNow();
        var due = now - every;
        // Nothing to take from these: only their period starts again.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.lead SET score_decayed_at = {now} WHERE score <= 0 AND coalesce(score_decayed_at, created_at) <= {due}
            """, ct);
        var decayed = 0;
        while (!ct.IsCancellationRequested)
        {
            var count = await work.RunAsync(async c =>
            {
                var ids = await db.Database.SqlQuery<Guid>($"""
                    SELECT id AS "Value" FROM nurture.lead WHERE score > 0 AND coalesce(score_decayed_at, created_at) <= {due}
                    ORDER BY id LIMIT {Batch} FOR UPDATE SKIP LOCKED
                    """).ToListAsync(c);
                foreach (var id in ids)
                {
                    var lead = await db.Leads.SingleAsync(l => l.Id == id, c); // locked by the claim above
                    var anchor = lead.ScoreDecayedAt ?? lead.CreatedAt;
                    var periods = (int)Math.Min(MaxPeriodsAtOnce, Math.Floor((now - anchor) / every));
                    for (var i = 0; i < periods && lead.Score > 0; i++)
                    {
                        var points = (int)Math.Round(lead.Score * decay.Percent / 100.0, MidpointRounding.AwayFromZero);
                        if (points == 0) break;
                        await scores.AddAsync(lead, -points, $"decay {decay.Percent}% every {decay.Every}", "score_decay", c);
                    }
                    lead.ScoreDecayedAt = periods >= MaxPeriodsAtOnce ? now : anchor + every * periods;
                }
                await db.SaveChangesAsync(c);
                return ids.Count;
            }, ct);
            decayed += count;
            if (count < Batch) break;
        }
        if (decayed > 0) LogDecayed(logger, decayed, decay.Percent);
        return decayed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Score decay: {Count} leads lost {Percent}% of their score")]
    static partial void LogDecayed(ILogger logger, int count, int percent);
}
