using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;

namespace NurtureEngine.Suppressions;

public sealed record SuppressionDto(string AddressHash, string Source, string Reason, DateTimeOffset CreatedAt, string? Email = null);

/// <summary>The installation-wide suppression list: checked before every marketing send.</summary>
public sealed class SuppressionList(NurtureDbContext db, TimeProvider clock)
{
    public static string Hash(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Lead.Normalize(email))));

    /// <summary>Why the address must not be mailed, or null when it may be.</summary>
    public async Task<string?> ReasonAsync(string email, CancellationToken ct)
    {
        var hash = Hash(email);
        var row = await db.Suppressions.AsNoTracking().Where(s => s.AddressHash == hash).Select(s => new { s.Source, s.Reason }).FirstOrDefaultAsync(ct);
        return row is null ? null : Describe(row.Source, row.Reason);
    }

    /// <summary>
    /// Why each listed address of a batch must not be mailed, keyed by address: one query for the batch. An address
    /// missing from the answer may be mailed.
    /// </summary>
    public static async Task<Dictionary<string, string>> ReasonsAsync(NurtureDbContext db, IEnumerable<string> addresses, CancellationToken ct)
    {
        var byHash = addresses.Distinct().GroupBy(Hash).ToDictionary(g => g.Key, g => g.ToList());
        var hashes = byHash.Keys.ToList();
        var rows = await db.Suppressions.AsNoTracking().Where(x => hashes.Contains(x.AddressHash))
            .Select(x => new { x.AddressHash, x.Source, x.Reason }).ToListAsync(ct);
        return rows.SelectMany(r => byHash[r.AddressHash].Select(a => (Address: a, Reason: Describe(r.Source, r.Reason))))
            .ToDictionary(x => x.Address, x => x.Reason);
    }

    public static string Describe(string source, string reason) => $"address is on the suppression list ({source.Replace('_', ' ')}: {reason})";

    /// <summary>Why this lead must not get an email of this topic (suppressed address, or it left the topic), or null.</summary>
    public async Task<string?> ReasonAsync(Lead lead, string? topic, CancellationToken ct)
    {
        if (await ReasonAsync(lead.Email, ct) is { } reason) return reason;
        if (topic is not null && await db.TopicOptOuts.AnyAsync(o => o.LeadId == lead.Id && o.Topic == topic, ct))
            return $"unsubscribed from the topic {topic}";
        return null;
    }

    /// <summary>Adds the address (idempotent: an existing entry keeps its first reason). True when added.</summary>
    public async Task<bool> AddAsync(string email, string source, string reason, CancellationToken ct)
    {
        var hash = Hash(email);
        var now = clock.GetUtcNow();
        reason = reason.Length > InputLimits.MaxReasonChars ? reason[..InputLimits.MaxReasonChars] : reason; // a bounce's text can be long: kept, cut
        return await db.Database.ExecuteSqlAsync($"""
            INSERT INTO nurture.suppression (address_hash, source, reason, created_at) VALUES ({hash}, {source}, {reason}, {now})
            ON CONFLICT (address_hash) DO NOTHING
            """, ct) == 1;
    }

    public async Task<bool> RemoveAsync(string emailOrHash, CancellationToken ct)
    {
        var hash = IsHash(emailOrHash) ? emailOrHash.ToLowerInvariant() : Hash(emailOrHash);
        return await db.Suppressions.Where(s => s.AddressHash == hash).ExecuteDeleteAsync(ct) > 0;
    }

    public async Task<IReadOnlyList<SuppressionDto>> ListAsync(string? email, int limit, long? after, CancellationToken ct)
    {
        if (limit is < 1 or > 500) throw new ValidationException("limit", "must be between 1 and 500");
        var query = db.Suppressions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(email))
        {
            var hash = IsHash(email) ? email.ToLowerInvariant() : Hash(email);
            query = query.Where(s => s.AddressHash == hash);
        }
        if (after is { } a) query = query.Where(s => s.Id > a);
        var rows = await query.OrderBy(s => s.Id).Take(limit).ToListAsync(ct);
        return rows.Select(s => new SuppressionDto(s.AddressHash, s.Source, s.Reason, s.CreatedAt,
            email is not null && !IsHash(email) ? Lead.Normalize(email) : null)).ToList();
    }

    public static bool IsHash(string value) => value.Length == 64 && value.All(Uri.IsHexDigit);
}
