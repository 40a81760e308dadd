using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;

namespace NurtureEngine.Preferences;

public sealed record TopicChoice(string Topic, string Name, bool Subscribed);

/// <summary>
/// The lead's email preferences behind <c>/u/{token}</c>: the topics (subscription groups) that the
/// installation's sequences declare, and which of them the lead left. Joining a topic again is
/// always the lead's explicit choice on the page.
/// </summary>
public sealed class PreferenceService(NurtureDbContext db, UnitOfWork work, TimelineWriter timeline, TimeProvider clock)
{
    /// <summary>Every topic a current sequence or a broadcast declares, with the names of its sequences and broadcasts.</summary>
    public async Task<IReadOnlyList<(string Topic, string Name)>> TopicsAsync(CancellationToken ct)
    {
        var current = await db.Sequences.AsNoTracking()
            .Join(db.SequenceVersions, s => new { SequenceId = s.Id, Version = s.CurrentVersion }, v => new { v.SequenceId, v.Version },
                (s, v) => new { s.Name, v.DefinitionJson })
            .ToListAsync(ct);
        var broadcasts = await db.Broadcasts.AsNoTracking().Where(b => b.Status != Broadcasts.BroadcastStatus.Cancelled)
            .Select(b => new { b.Name, b.DefinitionJson }).ToListAsync(ct);
        return current.Select(c => (Json.Deserialize<SequenceDefinition>(c.DefinitionJson).Topic, c.Name))
            .Concat(broadcasts.Select(b => (Json.Deserialize<Broadcasts.BroadcastDefinition>(b.DefinitionJson).Topic, b.Name)))
            .Where(c => c.Topic is not null)
            .GroupBy(c => c.Topic!)
            .Select(g => (g.Key, string.Join(", ", g.Select(c => c.Name).Order())))
            .OrderBy(t => t.Key).ToList();
    }

    public async Task<IReadOnlyList<TopicChoice>> ChoicesAsync(Guid leadId, CancellationToken ct)
    {
        var left = (await db.TopicOptOuts.Where(o => o.LeadId == leadId).Select(o => o.Topic).ToListAsync(ct)).ToHashSet();
        return (await TopicsAsync(ct)).Select(t => new TopicChoice(t.Topic, t.Name, !left.Contains(t.Topic))).ToList();
    }

    /// <summary>Keeps the lead in exactly the <paramref name="subscribed"/> topics (of those that exist).</summary>
    public Task SetAsync(Lead lead, IReadOnlySet<string> subscribed, CancellationToken ct) => work.RunAsync(async c =>
    {
        var topics = (await TopicsAsync(c)).Select(t => t.Topic).ToList();
        var left = await db.TopicOptOuts.Where(o => o.LeadId == lead.Id).ToListAsync(c);
        var now = clock.GetUtcNow();
        foreach (var topic in topics)
        {
            var optOut = left.FirstOrDefault(o => o.Topic == topic);
            if (subscribed.Contains(topic) && optOut is not null)
            {
                db.TopicOptOuts.Remove(optOut);
                timeline.Add(lead.Id, ActivityKind.TopicChanged, $"Subscribed again to {topic}", new { topic, subscribed = true });
            }
            else if (!subscribed.Contains(topic) && optOut is null)
            {
                db.TopicOptOuts.Add(new TopicOptOut { LeadId = lead.Id, Topic = topic, CreatedAt = now });
                timeline.Add(lead.Id, ActivityKind.TopicChanged, $"Unsubscribed from {topic}", new { topic, subscribed = false });
            }
        }
        await db.SaveChangesAsync(c);
    }, ct);
}
