using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Settings;

/// <summary>
/// The installation's signing key for tracking tokens. Made once and kept in the database, so
/// every web and worker process signs and verifies with the same key.
/// </summary>
public sealed class InstallationSecrets(IServiceScopeFactory scopes)
{
    private const string TrackingKeyName = "tracking_hmac_key";
    private byte[]? _trackingKey;

    public byte[] TrackingKey => _trackingKey ??= LoadOrCreate();

    private byte[] LoadOrCreate()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        db.Database.ExecuteSql($"INSERT INTO nurture.setting (key, value) VALUES ({TrackingKeyName}, {fresh}) ON CONFLICT (key) DO NOTHING");
        var stored = db.Settings.AsNoTracking().Single(s => s.Key == TrackingKeyName).Value;
        return Convert.FromBase64String(stored);
    }
}
