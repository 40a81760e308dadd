using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Pipelines;

namespace NurtureEngine.Web.Admin;

/// <summary>What the lead pages show beside a lead's own fields: who can own leads, names of stages, last activity.</summary>
public sealed class LeadDirectory(NurtureDbContext db, UserManager<IdentityUser> users)
{
    /// <summary>Every user, by email: the people a lead can be assigned to.</summary>
    public async Task<IReadOnlyList<string>> OwnersAsync(CancellationToken ct) =>
        (await users.Users.Where(u => u.Email != null).Select(u => u.Email!).ToListAsync(ct))
            .Select(e => e.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// When each lead's newest timeline entry was recorded, for a page of leads: the entry and the time the lead list's
    /// "last activity" order goes by (a backdated event counts when it arrives).
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> LastActivityAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        ids.Count == 0 ? new Dictionary<Guid, DateTimeOffset>()
            : await db.Activities.Where(a => ids.Contains(a.LeadId) && a.Id == db.Activities.Where(n => n.LeadId == a.LeadId).Max(n => n.Id))
                .Select(a => new { a.LeadId, a.RecordedAt }).ToDictionaryAsync(x => x.LeadId, x => x.RecordedAt, ct);

    /// <summary>A stage's name by pipeline and stage key ("mql" shows as "Marketing qualified").</summary>
    public static string StageName(IReadOnlyList<PipelineDto> pipelines, string pipeline, string stage) =>
        pipelines.FirstOrDefault(p => p.Key == pipeline)?.Stages.FirstOrDefault(s => s.Key == stage)?.Name
        ?? pipelines.SelectMany(p => p.Stages).FirstOrDefault(s => s.Key == stage)?.Name ?? stage;
}
