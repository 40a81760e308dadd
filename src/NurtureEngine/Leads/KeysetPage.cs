using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;

namespace NurtureEngine.Leads;

/// <summary>
/// One page of leads in id order after an opaque cursor (the last id of the previous page): the
/// keyset paging every lead list uses, so page 10,000 costs what page 1 costs.
/// </summary>
public static class KeysetPage
{
    public static async Task<LeadPage> ReadAsync(IQueryable<Lead> query, int limit, string? cursor, CancellationToken ct)
    {
        if (limit is < 1 or > 500) throw new ValidationException("limit", "must be between 1 and 500");
        if (cursor is not null)
        {
            if (!Guid.TryParse(cursor, out var after)) throw new ValidationException("cursor", "is not a cursor returned by this API");
            query = query.Where(l => l.Id.CompareTo(after) > 0);
        }
        var rows = await query.OrderBy(l => l.Id).Take(limit + 1)
            .Select(l => new
            {
                Lead = l, Pipeline = l.Pipeline.Key, Stage = l.Stage.Key,
                Company = l.LinkedCompany == null ? null : new Sales.CompanyRef(l.LinkedCompany.Id, l.LinkedCompany.Name, l.LinkedCompany.Domain),
            }).ToListAsync(ct);
        var items = rows.Take(limit).Select(r => LeadDto.From(r.Lead, r.Pipeline, r.Stage, r.Company)).ToList();
        return new LeadPage(items, rows.Count > limit ? items[^1].Id.ToString() : null);
    }
}
