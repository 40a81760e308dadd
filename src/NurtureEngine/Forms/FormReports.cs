using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Forms;

/// <summary>One form's funnel: views, submissions, how many were asked to confirm and did, and how many of its leads reached MQL.</summary>
public sealed record FormReport(string Form, string Name, long Views, long Submissions, long Leads, long ConfirmationsRequested, long Confirmed,
    double? ConfirmationRate, double? SubmissionRate, long Mqls, double? ConversionToMql);

public sealed record TopPage(string Path, long Views, long Leads);

/// <summary>Reports on lead capture; "MQL" is the stage with key <c>mql</c>: a lead counts once it has entered it or a later stage of its pipeline.</summary>
public sealed class FormReports(NurtureDbContext db)
{
    public sealed class Row
    {
        public string Key { get; set; } = "";
        public string Name { get; set; } = "";
        public long Views { get; set; }
        public long Submissions { get; set; }
        public long Leads { get; set; }
        public long Requested { get; set; }
        public long Confirmed { get; set; }
        public long Mqls { get; set; }
    }

    private const string ReachedMql = """
        (EXISTS (SELECT 1 FROM nurture.stage_change sc JOIN nurture.stage st ON st.id = sc.to_stage_id WHERE sc.lead_id = l.id AND st.key = 'mql')
         OR EXISTS (SELECT 1 FROM nurture.stage cur JOIN nurture.stage m ON m.pipeline_id = cur.pipeline_id AND m.key = 'mql'
                    WHERE cur.id = l.stage_id AND cur.position >= m.position))
        """;

    public async Task<IReadOnlyList<FormReport>> FormsAsync(string? key, CancellationToken ct)
    {
        var rows = await db.Database.SqlQueryRaw<Row>($$"""
            SELECT f.key AS "Key", f.name AS "Name", f.views AS "Views",
                   (SELECT count(*) FROM nurture.form_submission s WHERE s.form_id = f.id) AS "Submissions",
                   (SELECT count(DISTINCT s.lead_id) FROM nurture.form_submission s WHERE s.form_id = f.id) AS "Leads",
                   (SELECT count(*) FROM nurture.form_submission s WHERE s.form_id = f.id AND s.confirmation_required) AS "Requested",
                   (SELECT count(*) FROM nurture.form_submission s WHERE s.form_id = f.id AND s.confirmation_required AND s.confirmed_at IS NOT NULL) AS "Confirmed",
                   (SELECT count(*) FROM nurture.lead l WHERE l.id IN (SELECT s.lead_id FROM nurture.form_submission s WHERE s.form_id = f.id) AND {{ReachedMql}}) AS "Mqls"
            FROM nurture.form f WHERE {0}::text IS NULL OR f.key = {0}::text ORDER BY f.key
            """, (object?)key ?? DBNull.Value).ToListAsync(ct);
        return rows.Select(r => new FormReport(r.Key, r.Name, r.Views, r.Submissions, r.Leads, r.Requested, r.Confirmed,
            Rate(r.Confirmed, r.Requested), Rate(r.Submissions, r.Views), r.Mqls, Rate(r.Mqls, r.Leads))).ToList();
    }

    public sealed class PageRow
    {
        public string Path { get; set; } = "";
        public long Views { get; set; }
        public long Leads { get; set; }
    }

    /// <summary>The pages leads that reached MQL viewed most.</summary>
    public async Task<IReadOnlyList<TopPage>> TopPagesOfMqlsAsync(int limit, CancellationToken ct) =>
        (await db.Database.SqlQueryRaw<PageRow>($$"""
            SELECT a.data -> 'properties' ->> 'path' AS "Path", count(*) AS "Views", count(DISTINCT a.lead_id) AS "Leads"
            FROM nurture.activity a JOIN nurture.lead l ON l.id = a.lead_id
            WHERE a.kind = 'page_viewed' AND {{ReachedMql}}
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {0}
            """, limit).ToListAsync(ct)).Where(p => p.Path is not null).Select(p => new TopPage(p.Path, p.Views, p.Leads)).ToList();

    private static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
}
