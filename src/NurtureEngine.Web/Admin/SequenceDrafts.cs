using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Settings;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// The builder's unpublished work, kept server-side per sequence key (in the settings table, one row
/// per draft) so a reload or a closed tab loses nothing. Publishing or discarding removes it.
/// </summary>
public sealed class SequenceDrafts(NurtureDbContext db, TimeProvider clock)
{
    public sealed record Draft(SequenceForm Form, DateTimeOffset SavedAt, string? SavedBy);

    private static string RowKey(string sequence) => "sequence_draft:" + sequence;

    public async Task<Draft?> GetAsync(string sequence, CancellationToken ct)
    {
        var json = await db.Settings.AsNoTracking().Where(s => s.Key == RowKey(sequence)).Select(s => s.Value).FirstOrDefaultAsync(ct);
        if (json is null) return null;
        try
        {
            return Json.Deserialize<Draft>(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // a draft saved by an earlier builder (variants as "template:weight" text): the published version is shown instead
        }
    }

    public async Task SaveAsync(string sequence, SequenceForm form, string? by, CancellationToken ct)
    {
        var value = Json.Serialize(new Draft(form, clock.GetUtcNow(), by));
        // One statement, so two tabs saving at once cannot collide on the key.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO nurture.setting (key, value) VALUES ({RowKey(sequence)}, {value}) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", ct);
    }

    public Task DiscardAsync(string sequence, CancellationToken ct) =>
        db.Settings.Where(s => s.Key == RowKey(sequence)).ExecuteDeleteAsync(ct);
}
