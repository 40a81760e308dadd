using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;

namespace NurtureEngine.Sales;

public sealed class CompanyInput
{
    public string? Name { get; set; }
    public string? Domain { get; set; }
    public JsonObject? Attributes { get; set; }
}

public sealed record CompanyDto(Guid Id, string Name, string Domain, JsonObject Attributes, int LeadCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A company with its leads, deals and their combined timeline (newest first).</summary>
public sealed record CompanyDetails(Guid Id, string Name, string Domain, JsonObject Attributes, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<LeadDto> Leads, IReadOnlyList<DealDto> Deals, IReadOnlyList<TimelineEntry> Timeline);

/// <summary>
/// Companies are upserted by domain. A lead belongs to the company at its email's domain: leads made
/// later are linked by the database on insert (trigger lead_link_company, so imports and forms link too);
/// leads already there are linked when the company is made.
/// </summary>
public sealed class CompanyService(NurtureDbContext db, LeadService leads, DealService deals, TimeProvider clock)
{
    public const int MaxListed = 500;

    public async Task<(CompanyDto Company, bool Created)> UpsertAsync(CompanyInput input, CancellationToken ct)
    {
        var domain = Validate(input);
        return await CreateRace.RetryAsync(db, async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            var company = await db.Companies.ForUpdate().FirstOrDefaultAsync(c => c.Domain == domain, ct);
            var created = company is null;
            if (company is null)
            {
                company = new Company { Name = input.Name?.Trim() ?? domain, Domain = domain, CreatedAt = now, UpdatedAt = now };
                db.Companies.Add(company);
            }
            if (input.Name is not null) company.Name = input.Name.Trim();
            if (input.Attributes is { Count: > 0 } attributes)
            {
                var merged = company.Attributes;
                foreach (var (key, value) in attributes)
                {
                    if (value is null) merged.Remove(key);
                    else merged[key] = value.DeepClone();
                }
                company.Attributes = merged;
            }
            company.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            if (created)
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE nurture.lead SET company_id = {company.Id}
                    WHERE split_part(email_normalized, '@', 2) = {domain} AND company_id IS NULL
                    """, ct);
            await tx.CommitAsync(ct);
            return (await ToDtoAsync(company, ct), created);
        });
    }

    public async Task<CompanyDetails?> GetAsync(Guid id, int timelineLimit, CancellationToken ct)
    {
        var company = await db.Companies.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (company is null) return null;
        var page = await leads.ListByCompanyAsync(id, MaxListed, ct);
        var companyDeals = await deals.ListAsync(new DealQuery(CompanyId: id, Limit: MaxListed), ct);
        var leadIds = page.Select(l => l.Id).ToList();
        var idText = id.ToString();
        var ids = leadIds.ToArray();
        // The company's leads' timelines, and the deal rows of its deals whose lead works elsewhere.
        var rows = await db.Activities.FromSql($"""
                SELECT * FROM nurture.activity
                WHERE lead_id = ANY({ids}) OR (kind LIKE 'deal!_%' ESCAPE '!' AND data->>'companyId' = {idText})
                """).AsNoTracking()
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(timelineLimit).ToListAsync(ct);
        var timeline = rows.Select(a => new TimelineEntry(a.At, a.Kind, a.Summary, JsonNode.Parse(a.DataJson), a.MessageId)).ToList();
        return new CompanyDetails(company.Id, company.Name, company.Domain, company.Attributes, company.CreatedAt, company.UpdatedAt,
            page, companyDeals, timeline);
    }

    public async Task<IReadOnlyList<CompanyDto>> ListAsync(string? q, int limit, CancellationToken ct)
    {
        if (limit is < 1 or > MaxListed) throw new ValidationException("limit", $"must be between 1 and {MaxListed}");
        var query = db.Companies.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = "%" + q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(c => EF.Functions.ILike(c.Name, pattern) || EF.Functions.ILike(c.Domain, pattern));
        }
        var rows = await query.OrderBy(c => c.Name).ThenBy(c => c.Id).Take(limit)
            .Select(c => new { Company = c, Leads = db.Leads.Count(l => l.CompanyId == c.Id) }).ToListAsync(ct);
        return rows.Select(r => ToDto(r.Company, r.Leads)).ToList();
    }

    private async Task<CompanyDto> ToDtoAsync(Company c, CancellationToken ct) =>
        ToDto(c, await db.Leads.CountAsync(l => l.CompanyId == c.Id, ct));

    private static CompanyDto ToDto(Company c, int leadCount) => new(c.Id, c.Name, c.Domain, c.Attributes, leadCount, c.CreatedAt, c.UpdatedAt);

    /// <summary>The domain as the lead link compares it (lower case, A-labels), or null when it is no domain.</summary>
    public static string? NormalizeDomain(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var d = value.Trim();
        var scheme = d.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) d = d[(scheme + 3)..];
        d = d.Split('/', '?', '#')[0];
        if (d.StartsWith("www.", StringComparison.OrdinalIgnoreCase)) d = d[4..];
        if (!EmailAddress.IsValid("x@" + d)) return null;
        return EmailAddress.Key("x@" + d)[2..];
    }

    private static string Validate(CompanyInput input)
    {
        var errors = new Errors();
        var domain = NormalizeDomain(input.Domain);
        if (input.Domain is null) errors.Add("domain", "is required: the company's web domain, e.g. example.com");
        else if (domain is null) errors.Add("domain", "is not a domain name such as example.com");
        else if (FreeMailDomains.Contains(domain)) errors.Add("domain", $"{domain} is a free-mail provider: its addresses belong to no one company");
        if (input.Name is not null && InputLimits.NameProblem(input.Name) is { } problem) errors.Add("name", problem);
        if (input.Attributes is { } attrs && attrs.ToJsonString().Length > InputLimits.MaxAttributesJsonChars)
            errors.Add("attributes", $"must be at most {InputLimits.MaxAttributesJsonChars} characters of JSON");
        errors.ThrowIfAny();
        return domain!;
    }
}
