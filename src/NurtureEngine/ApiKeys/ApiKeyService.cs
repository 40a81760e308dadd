using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.ApiKeys;

public sealed class ApiKeyService(NurtureDbContext db, TimeProvider clock)
{
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Makes a new key; the plain value is returned once and never stored.</summary>
    public async Task<string> CreateAsync(string name, CancellationToken ct)
    {
        var key = "ne_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        await AddAsync(name, key, ct);
        return key;
    }

    /// <summary>Ensures a key with this exact value exists (<c>Nurture:BootstrapApiKey</c>).</summary>
    public async Task EnsureAsync(string name, string key, CancellationToken ct)
    {
        var hash = Hash(key);
        if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, ct)) await AddAsync(name, key, ct);
    }

    public async Task<ApiKey?> FindAsync(string key, CancellationToken ct)
    {
        var hash = Hash(key);
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, ct);
    }

    /// <summary>Every key, newest first, as name and prefix only: the value itself is never stored.</summary>
    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken ct) =>
        await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.Id).ToListAsync(ct);

    /// <summary>Revokes a key at once; returns false when it does not exist or was already revoked.</summary>
    public async Task<bool> RevokeAsync(long id, CancellationToken ct) =>
        await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(k => k.RevokedAt, clock.GetUtcNow()), ct) > 0;

    private async Task AddAsync(string name, string key, CancellationToken ct)
    {
        db.ApiKeys.Add(new ApiKey { Name = name, Hash = Hash(key), Prefix = key[..Math.Min(8, key.Length)], CreatedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
    }
}
