using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Leads;

/// <summary>
/// One page of leads in id order after an opaque cursor (the last id of the previous page): the
/// keyset paging every lead list uses, so page 10,000 costs what page 1 costs. Also sorted
/// <see cref="ByScore"/> (highest first, ties newest id first), <see cref="ByEmail"/> (A–Z), <see cref="ByName"/>
/// (first and last name A–Z, case ignored, ties by id), <see cref="ByCompany"/>, <see cref="ByStage"/> and
/// <see cref="ByLastActivity"/>, each served by an index; their cursors carry the last row's sort value too.
/// </summary>
public static class KeysetPage
{
    public const string ByScore = "score", ByEmail = "email", ByName = "name", ByCompany = "company", ByStage = "stage", ByLastActivity = "lastActivity";
    /// <summary>Separates the sort value from the id in a cursor (names never hold control characters).</summary>
    private const char NameCursorSeparator = '\u001f';

    public static async Task<LeadPage> ReadAsync(NurtureDbContext db, IQueryable<Lead> query, int limit, string? cursor, CancellationToken ct, string? sort = null)
    {
        if (limit is < 1 or > 500) throw new ValidationException("limit", "must be between 1 and 500");
        if (sort is not (null or ByScore or ByEmail or ByName or ByCompany or ByStage or ByLastActivity))
            throw new ValidationException("sort", "must be score, email, name, company, stage or lastActivity");
        var bad = new ValidationException("cursor", "is not a cursor returned by this API");
        switch (sort)
        {
            case ByCompany: return await LoadAsync(db, await ByCompanyAsync(db, query, limit, cursor, bad, ct), ct);
            case ByStage: return await LoadAsync(db, await ByStageAsync(db, query, limit, cursor, bad, ct), ct);
            case ByLastActivity: return await LoadAsync(db, await ByLastActivityAsync(db, query, limit, cursor, bad, ct), ct);
        }
        if (cursor is not null)
        {
            switch (sort)
            {
                case ByScore:
                    var parts = Decode(cursor).Split(':');
                    if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var score) || !Guid.TryParse(parts[1], out var id)) throw bad;
                    query = query.Where(l => EF.Functions.LessThan(ValueTuple.Create(l.Score, l.Id), ValueTuple.Create(score, id)));
                    break;
                case ByName:
                    var named = Decode(cursor).Split(NameCursorSeparator);
                    if (named.Length != 2 || !Guid.TryParse(named[1], out var nameId)) throw bad;
                    var name = named[0];
                    // Written as in the index ix_lead_name_sort: lower(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')).
                    query = query.Where(l => EF.Functions.GreaterThan(ValueTuple.Create(((l.FirstName ?? "") + " " + (l.LastName ?? "")).ToLower(), l.Id), ValueTuple.Create(name, nameId)));
                    break;
                case ByEmail:
                    var email = Decode(cursor);
                    if (email.Length == 0) throw bad;
                    query = query.Where(l => string.Compare(l.EmailNormalized, email) > 0);
                    break;
                default:
                    if (!Guid.TryParse(cursor, out var after)) throw bad;
                    query = query.Where(l => l.Id.CompareTo(after) > 0);
                    break;
            }
        }
        var ordered = sort switch
        {
            ByScore => query.OrderByDescending(l => l.Score).ThenByDescending(l => l.Id),
            ByEmail => query.OrderBy(l => l.EmailNormalized),
            ByName => query.OrderBy(l => ((l.FirstName ?? "") + " " + (l.LastName ?? "")).ToLower()).ThenBy(l => l.Id),
            _ => query.OrderBy(l => l.Id),
        };
        var rows = await ordered.Take(limit + 1)
            .Select(l => new
            {
                Lead = l, Pipeline = l.Pipeline.Key, Stage = l.Stage.Key, NameKey = ((l.FirstName ?? "") + " " + (l.LastName ?? "")).ToLower(),
                Company = l.LinkedCompany == null ? null : new Sales.CompanyRef(l.LinkedCompany.Id, l.LinkedCompany.Name, l.LinkedCompany.Domain),
            }).ToListAsync(ct);
        var items = rows.Take(limit).Select(r => LeadDto.From(r.Lead, r.Pipeline, r.Stage, r.Company)).ToList();
        if (rows.Count <= limit) return new LeadPage(items, null);
        var last = rows[limit - 1].Lead;
        var lastNameKey = rows[limit - 1].NameKey; // lowered by PostgreSQL, as the order and the index are
        return new LeadPage(items, sort switch
        {
            ByScore => Encode($"{last.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{last.Id}"),
            ByEmail => Encode(last.EmailNormalized),
            ByName => Encode($"{lastNameKey}{NameCursorSeparator}{last.Id}"),
            _ => last.Id.ToString(),
        });
    }

    /// <summary>A sorted page read as ids first: the leads in that order, and the cursor after the last.</summary>
    private sealed record Ordered(IReadOnlyList<Guid> Ids, string? NextCursor);

    private static async Task<LeadPage> LoadAsync(NurtureDbContext db, Ordered page, CancellationToken ct)
    {
        var ids = page.Ids.ToList();
        var rows = (await db.Leads.AsNoTracking().Where(l => ids.Contains(l.Id))
            .Select(l => new
            {
                Lead = l, Pipeline = l.Pipeline.Key, Stage = l.Stage.Key,
                Company = l.LinkedCompany == null ? null : new Sales.CompanyRef(l.LinkedCompany.Id, l.LinkedCompany.Name, l.LinkedCompany.Domain),
            }).ToListAsync(ct)).ToDictionary(r => r.Lead.Id);
        return new LeadPage(ids.Where(rows.ContainsKey).Select(id => rows[id]).Select(r => LeadDto.From(r.Lead, r.Pipeline, r.Stage, r.Company)).ToList(), page.NextCursor);
    }

    /// <summary>
    /// By what the Company column shows, A–Z, case ignored, ties by id: the linked company's name, else the lead's own
    /// company text (linking does not copy the name, and a company can be renamed); leads with neither last, by id.
    /// Each kind is read off its own index up to a page and only those rows merged: linked leads company by company
    /// (ix_company_name_sort, then the lead's company_id index), unlinked ones by ix_lead_company_sort, those with none by ix_lead_no_company.
    /// </summary>
    private static async Task<Ordered> ByCompanyAsync(NurtureDbContext db, IQueryable<Lead> query, int limit, string? cursor, ValidationException bad, CancellationToken ct)
    {
        string? key = null;
        var after = Guid.Empty;
        var amongNone = false;
        if (cursor is not null)
        {
            var parts = Decode(cursor).Split(NameCursorSeparator);
            if (parts.Length != 2 || parts[0].Length == 0 || !Guid.TryParse(parts[1], out after)) throw bad;
            if (parts[0] == "-") amongNone = true;
            else if (parts[0][0] == 'k') key = parts[0][1..];
            else throw bad;
        }
        var linked = query.Join(db.Companies, l => l.CompanyId, c => (Guid?)c.Id, (l, c) => new { l.Id, Key = c.Name.ToLower() });
        var named = query.Where(l => l.CompanyId == null && (l.Company ?? "") != "").Select(l => new { l.Id, Key = l.Company!.ToLower() });
        if (key is not null)
        {
            // The first condition is the one an index can seek with; the second is the order's own.
            linked = linked.Where(x => string.Compare(x.Key, key) >= 0 && EF.Functions.GreaterThan(ValueTuple.Create(x.Key, x.Id), ValueTuple.Create(key, after)));
            named = named.Where(x => EF.Functions.GreaterThan(ValueTuple.Create(x.Key, x.Id), ValueTuple.Create(key, after)));
        }
        var rows = amongNone ? [] : await linked.OrderBy(x => x.Key).ThenBy(x => x.Id).Take(limit + 1)
            .Concat(named.OrderBy(x => x.Key).ThenBy(x => x.Id).Take(limit + 1))
            .OrderBy(x => x.Key).ThenBy(x => x.Id).Take(limit + 1).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        if (ids.Count <= limit)
        {
            var none = query.Where(l => l.CompanyId == null && (l.Company ?? "") == "");
            if (amongNone) none = none.Where(l => l.Id.CompareTo(after) > 0);
            ids.AddRange(await none.OrderBy(l => l.Id).Select(l => l.Id).Take(limit + 1 - ids.Count).ToListAsync(ct));
        }
        if (ids.Count <= limit) return new Ordered(ids, null);
        var lastKey = limit <= rows.Count ? "k" + rows[limit - 1].Key : "-"; // the key as PostgreSQL lowered it
        return new Ordered(ids[..limit], Encode($"{lastKey}{NameCursorSeparator}{ids[limit - 1]}"));
    }

    /// <summary>
    /// By stage: pipelines as their page lists them, stages in their order, ties by id. Stage by stage from the cursor's
    /// (stages are few), its leads off the (stage_id, id) index until the page is full. One read per stage, with the stage
    /// known to the planner: a lateral join over the stages let it walk the primary key and filter by stage when its
    /// statistics said one stage holds every lead, a scan of the table for each empty stage.
    /// </summary>
    private static async Task<Ordered> ByStageAsync(NurtureDbContext db, IQueryable<Lead> query, int limit, string? cursor, ValidationException bad, CancellationToken ct)
    {
        var order = await db.Stages.Where(s => s.Pipeline.Object == Pipelines.PipelineObject.Lead).OrderBy(s => s.PipelineId).ThenBy(s => s.Position).ThenBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        var after = Guid.Empty;
        var from = 0;
        if (cursor is not null)
        {
            var parts = Decode(cursor).Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var stage)
                || !Guid.TryParse(parts[1], out after) || (from = order.IndexOf(stage)) < 0) throw bad;
        }
        var rows = new List<(long Stage, Guid Id)>();
        foreach (var stage in order[from..])
        {
            var inStage = query.Where(l => l.StageId == stage);
            if (cursor is not null && stage == order[from]) inStage = inStage.Where(l => l.Id.CompareTo(after) > 0);
            rows.AddRange((await inStage.OrderBy(l => l.Id).Select(l => l.Id).Take(limit + 1 - rows.Count).ToListAsync(ct)).Select(id => (stage, id)));
            if (rows.Count > limit) break;
        }
        var ids = rows.Select(r => r.Id).ToList();
        if (ids.Count <= limit) return new Ordered(ids, null);
        return new Ordered(ids[..limit], Encode($"{rows[limit - 1].Stage.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{ids[limit - 1]}"));
    }

    /// <summary>Up to this many matching leads, the last-activity order probes each for its newest timeline row.</summary>
    public const int ProbedAtMost = 10_000;

    /// <summary>
    /// Newest activity first: by the id of the lead's newest timeline row (ids grow as rows are recorded, so this is the
    /// order they were recorded in; nothing is written to the lead per event), leads with no activity last, by id. Up to
    /// <see cref="ProbedAtMost"/> matches, each lead's newest row is looked up on activity (lead_id, id) and those sorted;
    /// for more, the timeline is walked newest first and a lead kept at its newest row, so the first page of a
    /// million leads reads about a page of timeline rows.
    /// </summary>
    private static async Task<Ordered> ByLastActivityAsync(NurtureDbContext db, IQueryable<Lead> query, int limit, string? cursor, ValidationException bad, CancellationToken ct)
    {
        long? before = null;
        Guid? afterQuiet = null;
        if (cursor is not null)
        {
            var c = Decode(cursor);
            if (c.StartsWith('a') && long.TryParse(c[1..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var activity)) before = activity;
            else if (c.StartsWith('n') && Guid.TryParse(c[1..], out var lead)) afterQuiet = lead;
            else throw bad;
        }
        var rows = new List<(Guid Id, long Newest)>();
        if (afterQuiet is null)
        {
            if (await query.Take(ProbedAtMost + 1).CountAsync(ct) <= ProbedAtMost)
            {
                var probed = query.Select(l => new { l.Id, Newest = db.Activities.Where(a => a.LeadId == l.Id).Max(a => (long?)a.Id) }).Where(x => x.Newest != null);
                if (before is { } b) probed = probed.Where(x => x.Newest < b);
                rows = (await probed.OrderByDescending(x => x.Newest).Take(limit + 1).ToListAsync(ct)).Select(x => (x.Id, x.Newest!.Value)).ToList();
            }
            else
            {
                var newest = db.Activities.Where(a => !db.Activities.Any(n => n.LeadId == a.LeadId && n.Id > a.Id));
                if (before is { } b) newest = newest.Where(a => a.Id < b);
                rows = (await newest.Join(query, a => a.LeadId, l => l.Id, (a, l) => new { l.Id, Newest = a.Id })
                    .OrderByDescending(x => x.Newest).Take(limit + 1).ToListAsync(ct)).Select(x => (x.Id, x.Newest)).ToList();
            }
        }
        var ids = rows.Select(r => r.Id).ToList();
        if (ids.Count <= limit)
        {
            var quiet = query.Where(l => !db.Activities.Any(a => a.LeadId == l.Id));
            if (afterQuiet is { } q) quiet = quiet.Where(l => l.Id.CompareTo(q) > 0);
            ids.AddRange(await quiet.OrderBy(l => l.Id).Select(l => l.Id).Take(limit + 1 - ids.Count).ToListAsync(ct));
        }
        if (ids.Count <= limit) return new Ordered(ids, null);
        return new Ordered(ids[..limit], Encode(limit <= rows.Count
            ? "a" + rows[limit - 1].Newest.ToString(System.Globalization.CultureInfo.InvariantCulture) : "n" + ids[limit - 1]));
    }

    /// <summary>Sorted cursors are base64url: safe in a query string whatever the email holds.</summary>
    private static string Encode(string value) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Decode(string cursor)
    {
        try
        {
            var b = cursor.Replace('-', '+').Replace('_', '/');
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b + new string('=', (4 - b.Length % 4) % 4)));
        }
        catch (FormatException) { return ""; }
    }
}
