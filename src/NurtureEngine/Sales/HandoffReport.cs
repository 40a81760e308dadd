using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Sales;

public sealed record HandoffOwnerFigures(string Owner, int Assigned, int Accepted, int Rejected, int Breached, int Pending,
    double? AcceptanceRate, double? AverageHoursToAccept);
/// <summary>
/// Hand-offs given to reps in the period (each rep's turn counts once: a breach and the next rep's turn are two).
/// <c>acceptanceRate</c> = accepted ÷ (accepted + rejected + breached); <c>averageHoursToAccept</c> from the hand-off
/// (the lead entering the stage) to the accept, so the time lost to a breach counts; <c>slaBreaches</c> = breached turns.
/// </summary>
public sealed record HandoffFigures(int Assigned, int Accepted, int Rejected, int SlaBreaches, int Pending,
    double? AcceptanceRate, double? AverageHoursToAccept, IReadOnlyList<HandoffOwnerFigures> ByOwner);

/// <summary>The hand-off side of the sales report: one aggregate over the hand-off rows assigned in the period.</summary>
public sealed class HandoffReport(NurtureDbContext db)
{
    public async Task<HandoffFigures> FiguresAsync(DateTimeOffset start, DateTimeOffset end, string? owner, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<Row>($"""
            SELECT h.owner AS owner, count(*)::int AS assigned,
                   count(*) FILTER (WHERE h.status = 'Accepted')::int AS accepted,
                   count(*) FILTER (WHERE h.status = 'Rejected')::int AS rejected,
                   count(*) FILTER (WHERE h.status = 'Breached')::int AS breached,
                   count(*) FILTER (WHERE h.status = 'Pending')::int AS pending,
                   sum(extract(epoch FROM h.decided_at - h.handed_off_at) / 3600.0) FILTER (WHERE h.status = 'Accepted')::float8 AS hours_to_accept
            FROM nurture.handoff h
            WHERE h.assigned_at >= {start} AND h.assigned_at < {end} AND ({owner}::text IS NULL OR h.owner = {owner}::text)
            GROUP BY h.owner ORDER BY 2 DESC, 1
            """).ToListAsync(ct);
        var byOwner = rows.Select(r => new HandoffOwnerFigures(r.Owner, r.Assigned, r.Accepted, r.Rejected, r.Breached, r.Pending,
            Rate(r.Accepted, r.Rejected, r.Breached), Hours(r.HoursToAccept, r.Accepted))).ToList();
        int Sum(Func<Row, int> f) => rows.Sum(f);
        return new HandoffFigures(Sum(r => r.Assigned), Sum(r => r.Accepted), Sum(r => r.Rejected), Sum(r => r.Breached), Sum(r => r.Pending),
            Rate(Sum(r => r.Accepted), Sum(r => r.Rejected), Sum(r => r.Breached)), Hours(rows.Sum(r => r.HoursToAccept ?? 0), Sum(r => r.Accepted)), byOwner);
    }

    private static double? Rate(int accepted, int rejected, int breached) =>
        accepted + rejected + breached == 0 ? null : Math.Round((double)accepted / (accepted + rejected + breached), 4);

    private static double? Hours(double? total, int count) => count == 0 || total is null ? null : Math.Round(total.Value / count, 2);

    private sealed record Row(string Owner, int Assigned, int Accepted, int Rejected, int Breached, int Pending, double? HoursToAccept);
}
