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

    /// <summary>The newest timeline entry of each lead, for a page of leads.</summary>
    public async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> LastActivityAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        ids.Count == 0 ? new Dictionary<Guid, DateTimeOffset>()
            : await db.Activities.Where(a => ids.Contains(a.LeadId)).GroupBy(a => a.LeadId)
                .Select(g => new { g.Key, At = g.Max(a => a.At) }).ToDictionaryAsync(x => x.Key, x => x.At, ct);

    /// <summary>A stage's name by pipeline and stage key ("mql" shows as "Marketing qualified").</summary>
    public static string StageName(IReadOnlyList<PipelineDto> pipelines, string pipeline, string stage) =>
        pipelines.FirstOrDefault(p => p.Key == pipeline)?.Stages.FirstOrDefault(s => s.Key == stage)?.Name
        ?? pipelines.SelectMany(p => p.Stages).FirstOrDefault(s => s.Key == stage)?.Name ?? stage;
}
