using Microsoft.EntityFrameworkCore;
using Npgsql;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Pipelines;

namespace NurtureEngine.Sales;

public sealed record BoardQuery(string? Pipeline, string? Owner, string? Tag, string? CloseMonth, string? Column = null, Guid? After = null, int PageSize = BoardService.DefaultPageSize);

/// <summary>One card: a lead (lead pipelines) or a deal (deal pipelines).</summary>
public sealed record BoardCard(Guid Id, string Kind, string Name, Guid LeadId, string? Company, decimal? Amount, string? Owner, int Score, DateTimeOffset StageEnteredAt);

public sealed record BoardColumn(string Stage, string Name, int Probability, string Kind, int Count, decimal Amount, decimal Weighted,
    IReadOnlyList<BoardCard> Cards, Guid? NextAfter);

public sealed record Board(string Pipeline, string Name, string Object, IReadOnlyList<BoardColumn> Columns);

/// <summary>
/// The pipeline board: a column per stage, each read by its own LIMIT query on the (stage_id, id) indexes,
/// newest first, and its totals (count, amount, weighted amount) by one aggregate per board. A lead board's
/// totals without a tag filter come from <c>lead_stage_total</c>, a deal board's without a tag or close-month filter
/// from <c>deal_stage_total</c>, which the database keeps (triggers in the Initial migration), not from
/// counting the rows, so the first page costs the same at a million leads as at a hundred.
/// </summary>
public sealed class BoardService(NurtureDbContext db)
{
    public const int DefaultPageSize = 25;

    public async Task<Board> ReadAsync(BoardQuery q, CancellationToken ct)
    {
        var pipeline = await (q.Pipeline is null
                ? db.Pipelines.AsNoTracking().Include(p => p.Stages).OrderByDescending(p => p.IsDefault).ThenBy(p => p.Id)
                : db.Pipelines.AsNoTracking().Include(p => p.Stages).Where(p => p.Key == q.Pipeline))
            .FirstOrDefaultAsync(ct) ?? throw new NotFoundException($"Pipeline '{q.Pipeline}'");
        if (q.PageSize is < 1 or > 200) throw new ValidationException("pageSize", "must be between 1 and 200");
        var (from, to) = Month(q.CloseMonth);
        var columns = new List<BoardColumn>();
        if (pipeline.Object == PipelineObject.Lead)
        {
            var leads = db.Leads.AsNoTracking().Where(l => l.PipelineId == pipeline.Id);
            if (q.Owner is not null) leads = leads.Where(l => l.Owner == q.Owner);
            if (q.Tag is not null) { var wanted = new List<string> { q.Tag }; leads = leads.Where(l => wanted.All(t => l.Tags.Contains(t))); }
            var totals = q.Tag is null
                ? await KeptTotalsAsync("lead_stage_total", pipeline.Id, q.Owner, ct)
                : await leads.GroupBy(l => l.StageId).Select(g => new Total(g.Key, g.Count(), g.Sum(l => l.DealValue ?? 0))).ToListAsync(ct);
            foreach (var s in pipeline.OrderedStages)
            {
                var stageId = s.Id;
                var page = leads.Where(l => l.StageId == stageId);
                if (q.Column == s.Key && q.After is { } after) page = page.Where(l => l.Id.CompareTo(after) < 0);
                var cards = await page.OrderByDescending(l => l.Id).Take(q.PageSize + 1)
                    .Select(l => new BoardCard(l.Id, "lead",
                        (l.FirstName ?? "") == "" && (l.LastName ?? "") == "" ? l.Email : (l.FirstName ?? "") + " " + (l.LastName ?? ""), l.Id,
                        l.LinkedCompany != null ? l.LinkedCompany.Name : l.Company, l.DealValue, l.Owner, l.Score, l.StageEnteredAt))
                    .ToListAsync(ct);
                var t = totals.FirstOrDefault(x => x.StageId == s.Id);
                columns.Add(Column(s, t?.Count ?? 0, t?.Amount ?? 0, cards.Select(c => string.IsNullOrWhiteSpace(c.Name) ? c with { Name = "(no name)" } : c with { Name = c.Name.Trim() }).ToList(), q.PageSize));
            }
        }
        else
        {
            var deals = db.Deals.AsNoTracking().Where(d => d.PipelineId == pipeline.Id);
            if (q.Owner is not null) deals = deals.Where(d => d.Owner == q.Owner);
            if (from is not null) deals = deals.Where(d => d.CloseDate >= from && d.CloseDate <= to);
            if (q.Tag is not null)
            {
                var wanted = new List<string> { q.Tag };
                deals = deals.Where(d => db.Leads.Any(l => l.Id == d.LeadId && wanted.All(t => l.Tags.Contains(t))));
            }
            var totals = q.Tag is null && from is null
                ? await KeptTotalsAsync("deal_stage_total", pipeline.Id, q.Owner, ct)
                : await deals.GroupBy(d => d.StageId).Select(g => new Total(g.Key, g.Count(), g.Sum(d => d.Amount ?? 0))).ToListAsync(ct);
            foreach (var s in pipeline.OrderedStages)
            {
                var stageId = s.Id;
                var page = deals.Where(d => d.StageId == stageId);
                if (q.Column == s.Key && q.After is { } after) page = page.Where(d => d.Id.CompareTo(after) < 0);
                var cards = await page.OrderByDescending(d => d.Id).Take(q.PageSize + 1)
                    .Select(d => new BoardCard(d.Id, "deal", d.Name, d.LeadId,
                        db.Companies.Where(c => c.Id == d.CompanyId).Select(c => c.Name).FirstOrDefault(),
                        d.Amount, d.Owner, db.Leads.Where(l => l.Id == d.LeadId).Select(l => l.Score).FirstOrDefault(), d.StageEnteredAt))
                    .ToListAsync(ct);
                var t = totals.FirstOrDefault(x => x.StageId == s.Id);
                columns.Add(Column(s, t?.Count ?? 0, t?.Amount ?? 0, cards, q.PageSize));
            }
        }
        return new Board(pipeline.Key, pipeline.Name, pipeline.Object.ToString().ToLowerInvariant(), columns);
    }

    private sealed record Total(long StageId, int Count, decimal Amount);

    /// <summary>Rows of a kept-totals table past this many for a pipeline are folded into one per (stage, owner).</summary>
    private const int FoldAbove = 500;

    /// <param name="table"><c>lead_stage_total</c> or <c>deal_stage_total</c>: the same shape, kept by the same kind of trigger.</param>
    private async Task<List<Total>> KeptTotalsAsync(string table, long pipelineId, string? owner, CancellationToken ct)
    {
        // Folded in one statement once they pile up: the rows it deletes are the rows it sums (a concurrent fold skips
        // rows already deleted), and writers only ever append, so none waits for it.
#pragma warning disable EF1002 // the table name is one of two constants; the values are parameters
        await db.Database.ExecuteSqlRawAsync($"""
            WITH pile AS (SELECT 1 FROM nurture.{table} WHERE pipeline_id = @p0 OFFSET {FoldAbove} LIMIT 1),
            gone AS (DELETE FROM nurture.{table} WHERE pipeline_id = @p0 AND EXISTS (SELECT 1 FROM pile) RETURNING *)
            INSERT INTO nurture.{table} (pipeline_id, stage_id, owner, count, amount)
            SELECT pipeline_id, stage_id, owner, sum(count), sum(amount) FROM gone GROUP BY 1, 2, 3 HAVING sum(count) <> 0 OR sum(amount) <> 0
            """, [new NpgsqlParameter("p0", pipelineId)], ct);
        return await db.Database.SqlQueryRaw<Total>($"""
            SELECT stage_id, sum(count)::int AS count, sum(amount) AS amount FROM nurture.{table}
            WHERE pipeline_id = @p0 AND (@p1::text IS NULL OR owner = @p1::text)
            GROUP BY stage_id
            """, new NpgsqlParameter("p0", pipelineId), new NpgsqlParameter("p1", (object?)owner ?? DBNull.Value)).ToListAsync(ct);
#pragma warning restore EF1002
    }

    private static BoardColumn Column(Stage s, int count, decimal amount, List<BoardCard> cards, int pageSize) => new(
        s.Key, s.Name, s.Probability, s.Kind.ToString().ToLowerInvariant(), count, amount, Math.Round(amount * s.Probability / 100m, 2),
        cards.Take(pageSize).ToList(), cards.Count > pageSize ? cards[pageSize - 1].Id : null);

    /// <summary>"2026-12" as its first and last day; null for no filter.</summary>
    private static (DateOnly? From, DateOnly? To) Month(string? month)
    {
        if (string.IsNullOrWhiteSpace(month)) return (null, null);
        if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", out var first)) throw new ValidationException("closeMonth", "must be a month such as 2026-12");
        return (first, first.AddMonths(1).AddDays(-1));
    }
}
