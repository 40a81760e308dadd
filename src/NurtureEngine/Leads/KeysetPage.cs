using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;

namespace NurtureEngine.Leads;

/// <summary>
/// One page of leads in id order after an opaque cursor (the last id of the previous page): the
/// keyset paging every lead list uses, so page 10,000 costs what page 1 costs. Also sorted
/// <see cref="ByScore"/> (highest first, ties newest id first), <see cref="ByEmail"/> (A–Z) or <see cref="ByName"/>
/// (first and last name A–Z, case ignored, ties by id), each served by an index; their cursors carry the last row's sort value too.
/// </summary>
public static class KeysetPage
{
    public const string ByScore = "score", ByEmail = "email", ByName = "name";
    /// <summary>Separates the name from the id in a name cursor (names never hold control characters).</summary>
    private const char NameCursorSeparator = '\u001f';

    public static async Task<LeadPage> ReadAsync(IQueryable<Lead> query, int limit, string? cursor, CancellationToken ct, string? sort = null)
    {
        if (limit is < 1 or > 500) throw new ValidationException("limit", "must be between 1 and 500");
        if (sort is not (null or ByScore or ByEmail or ByName)) throw new ValidationException("sort", "must be score, email or name");
        var bad = new ValidationException("cursor", "is not a cursor returned by this API");
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
