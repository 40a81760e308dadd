using Microsoft.EntityFrameworkCore;

namespace NurtureEngine.Data;

/// <summary>
/// EF Core compares every tracked entity with its snapshot on each save, so a long unit of work that
/// keeps tracking all it loaded and wrote gets slower with every save: O(n²) over a batch of steps or
/// events. Batches are therefore worked in small chunks: the entities a chunk loaded stay tracked (a
/// later item may be the same lead), everything an item wrote is forgotten once it is saved.
/// </summary>
public static class ChunkTracking
{
    public const int ChunkSize = 10;

    /// <summary>Saves what is pending, then stops tracking everything but <paramref name="keep"/>.</summary>
    public static async Task ForgetSavedAsync(this NurtureDbContext db, IReadOnlySet<object> keep, CancellationToken ct)
    {
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in db.ChangeTracker.Entries().Where(e => !keep.Contains(e.Entity)).ToList()) entry.State = EntityState.Detached;
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    /// <summary>The entities a chunk keeps tracked, compared by reference.</summary>
    public static HashSet<object> Keep(params IEnumerable<object>[] entities)
    {
        var keep = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var set in entities) keep.UnionWith(set);
        return keep;
    }
}
