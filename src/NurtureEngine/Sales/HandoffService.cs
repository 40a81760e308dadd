using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Tasks;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sales;

/// <summary>
/// Gives a lead an owner from a team and, for a hand-off, a task to accept or reject it within <c>acceptWithin</c>.
/// Round robin takes turns by a counter that one UPDATE increments (a stage row's, or a <see cref="RoundRobinTurn"/>
/// row's), so concurrent entries never get the same turn; an attribute map picks by the lead's value and falls
/// back to round robin. Called inside the caller's transaction, with the lead row locked.
/// </summary>
public sealed class HandoffService(NurtureDbContext db, TimelineWriter timeline, TimeProvider clock)
{
    public const string Assigned = "handoff_assigned", Ended = "handoff_ended";

    /// <summary>The lead entered <paramref name="stage"/>: a hand-off stage hands it off; any other stage ends a pending stage hand-off.</summary>
    public async Task AssignAsync(Lead lead, Stage stage, CancellationToken ct)
    {
        var rule = stage.HandoffJson is null ? null : Json.Deserialize<HandoffRule>(stage.HandoffJson);
        if (rule is not { Team.Count: > 0 })
        {
            await SupersedeAsync(lead, h => h.StageId != null, $"the lead moved on to {stage.Name}", ct);
            return;
        }
        var owner = rule.MappedOwner(lead) ?? rule.TeamMember((await db.Database.SqlQuery<long>($"""
            UPDATE nurture.stage SET handoff_turn = handoff_turn + 1 WHERE id = {stage.Id} RETURNING handoff_turn - 1 AS "Value"
            """).ToListAsync(ct)).Single());
        await StartAsync(lead, rule, owner, $"stage {stage.Key}", stage.Id, stage.Name, ct);
    }

    /// <summary>The next turn of the round robin named <paramref name="key"/> (0 first), counted by the database.</summary>
    public async Task<long> NextTurnAsync(string key, CancellationToken ct) =>
        (await db.Database.SqlQuery<long>($"""
            INSERT INTO nurture.round_robin_turn (key, turn) VALUES ({key}, 1)
            ON CONFLICT (key) DO UPDATE SET turn = round_robin_turn.turn + 1
            RETURNING turn - 1 AS "Value"
            """).ToListAsync(ct)).Single();

    /// <summary>A new hand-off chain: any pending one of the lead ends (superseded), then <paramref name="owner"/> gets the lead and an accept task.</summary>
    public async Task<Handoff> StartAsync(Lead lead, HandoffRule rule, string owner, string origin, long? stageId, string where, CancellationToken ct)
    {
        await SupersedeAsync(lead, _ => true, $"handed off again ({origin})", ct);
        return await GiveAsync(lead, rule, owner, origin, stageId, where, handedOffAt: clock.GetUtcNow(), attempt: 1, ct);
    }

    /// <summary>One rep of a chain: the lead's owner, their accept task, the pending row and <c>handoff_assigned</c>.</summary>
    public async Task<Handoff> GiveAsync(Lead lead, HandoffRule rule, string owner, string origin, long? stageId, string where,
        DateTimeOffset handedOffAt, int attempt, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        lead.Owner = owner;
        lead.UpdatedAt = now;
        var task = new SalesTask
        {
            LeadId = lead.Id, Owner = owner, Title = $"Accept or reject the hand-off ({where})", DueAt = now + rule.AcceptWindow,
            CreatedAt = now, CreatedBy = $"hand-off {origin}",
        };
        db.SalesTasks.Add(task);
        await db.SaveChangesAsync(ct);
        var handoff = new Handoff
        {
            LeadId = lead.Id, StageId = stageId, Origin = origin, RuleJson = Json.Serialize(rule), Owner = owner, TaskId = task.Id,
            HandedOffAt = handedOffAt, AssignedAt = now, AcceptBy = task.DueAt, Attempt = attempt,
        };
        db.Handoffs.Add(handoff);
        await db.SaveChangesAsync(ct);
        var window = rule.AcceptWithin ?? HandoffRule.DefaultAcceptWithin;
        timeline.Add(lead.Id, Assigned, attempt == 1 ? $"Handed off to {owner} in {where}: accept within {window}"
                : $"Handed off to {owner} in {where} after the SLA was breached (rep {attempt}): accept within {window}",
            new { handoff = handoff.Id, stage = where, origin, owner, task = task.Id, acceptBy = task.DueAt, attempt,
                rule = rule.IsRoundRobin ? HandoffRule.RoundRobin : "attribute", cause = attempt == 1 ? "handoff" : "sla_breach" });
        return handoff;
    }

    /// <summary>Marks a hand-off's accept task done (it was accepted, rejected, breached or superseded).</summary>
    public async Task CloseTaskAsync(Handoff handoff, string by, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await db.SalesTasks.Where(t => t.Id == handoff.TaskId && t.Status == SalesTaskStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, SalesTaskStatus.Done).SetProperty(t => t.DoneAt, now).SetProperty(t => t.DoneBy, by), ct);
    }

    private async Task SupersedeAsync(Lead lead, Func<Handoff, bool> which, string why, CancellationToken ct)
    {
        var pending = await db.Handoffs.Where(h => h.LeadId == lead.Id && h.Status == HandoffStatus.Pending).ToListAsync(ct);
        foreach (var h in pending.Where(which))
        {
            h.Status = HandoffStatus.Superseded;
            h.DecidedAt = clock.GetUtcNow();
            h.Reason = why;
            await CloseTaskAsync(h, "hand-off ended", ct);
            timeline.Add(lead.Id, Ended, $"Hand-off to {h.Owner} ended: {why}", new { handoff = h.Id, owner = h.Owner, reason = why });
        }
        await db.SaveChangesAsync(ct);
    }
}
