using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sales;

public sealed record HandoffDto(long Id, Guid LeadId, string Origin, string Owner, string Status, int Attempt, DateTimeOffset HandedOffAt,
    DateTimeOffset AssignedAt, DateTimeOffset AcceptBy, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, long TaskId, string? RecycleTo);

/// <summary>
/// The assigned rep's answer to a hand-off: accept (the lead is theirs), or reject with a reason, which gives the
/// lead back to marketing (no owner) and can recycle it to a nurture stage. The lead row is locked first, then its
/// pending hand-off, the same order as every other writer of a lead.
/// </summary>
public sealed class HandoffDesk(NurtureDbContext db, UnitOfWork work, HandoffService handoffs, StageMover stages, TimelineWriter timeline, TimeProvider clock)
{
    public const string Accepted = "handoff_accepted", Rejected = "handoff_rejected";

    public async Task<IReadOnlyList<HandoffDto>> ListAsync(Guid leadId, CancellationToken ct)
    {
        if (!await db.Leads.AnyAsync(l => l.Id == leadId, ct)) throw new NotFoundException("Lead");
        var rows = await db.Handoffs.AsNoTracking().Where(h => h.LeadId == leadId).OrderByDescending(h => h.Id).Take(100).ToListAsync(ct);
        return rows.Select(ToDto).ToList();
    }

    /// <param name="onlyOwner">A SalesRep answers only hand-offs given to them; another's is not found.</param>
    public Task<HandoffDto> AcceptAsync(Guid leadId, string by, CancellationToken ct, string? onlyOwner = null) => work.RunAsync(async c =>
    {
        var (lead, handoff) = await PendingAsync(leadId, onlyOwner, c);
        if (handoff is null) return await AlreadyAsync(leadId, HandoffStatus.Accepted, c);
        var now = clock.GetUtcNow();
        Decide(handoff, HandoffStatus.Accepted, by, null, now);
        await handoffs.CloseTaskAsync(handoff, by, c);
        var hours = Math.Round((now - handoff.HandedOffAt).TotalHours, 2);
        timeline.Add(lead.Id, Accepted, $"Hand-off accepted by {handoff.Owner} ({hours:0.##} h after the hand-off)",
            new { handoff = handoff.Id, owner = handoff.Owner, by, hoursToAccept = hours, attempt = handoff.Attempt });
        await db.SaveChangesAsync(c);
        return ToDto(handoff);
    }, ct);

    /// <param name="recycleTo">The stage to send the lead back to; default the hand-off's <c>recycleTo</c>; none keeps the stage.</param>
    /// <param name="cause">The stage change's cause: <c>api</c> or <c>admin</c>.</param>
    public Task<HandoffDto> RejectAsync(Guid leadId, string? reason, string? recycleTo, string by, string cause, CancellationToken ct, string? onlyOwner = null) =>
        work.RunAsync(async c =>
        {
            if (string.IsNullOrWhiteSpace(reason)) throw new ValidationException("reason", "say why the lead is rejected");
            if (reason.Length > InputLimits.MaxReasonChars) throw new ValidationException("reason", $"at most {InputLimits.MaxReasonChars} characters");
            var (lead, handoff) = await PendingAsync(leadId, onlyOwner, c);
            if (handoff is null) return await AlreadyAsync(leadId, HandoffStatus.Rejected, c);
            var rule = Json.Deserialize<HandoffRule>(handoff.RuleJson);
            var target = string.IsNullOrWhiteSpace(recycleTo) ? rule.RecycleTo : recycleTo.Trim();
            var stage = target is null ? null
                : await db.Stages.FirstOrDefaultAsync(s => s.PipelineId == lead.PipelineId && s.Key == target, c)
                    ?? throw new ValidationException("recycleTo", $"'{target}' is not a stage of the lead's pipeline");
            var now = clock.GetUtcNow();
            Decide(handoff, HandoffStatus.Rejected, by, reason.Trim(), now);
            await handoffs.CloseTaskAsync(handoff, by, c);
            lead.Owner = null;
            lead.UpdatedAt = now;
            timeline.Add(lead.Id, Rejected, $"Hand-off rejected by {handoff.Owner}: {handoff.Reason}" + (stage is null ? "" : $"; recycled to {stage.Name}"),
                new { handoff = handoff.Id, owner = handoff.Owner, by, reason = handoff.Reason, recycleTo = stage?.Key });
            await db.SaveChangesAsync(c);
            if (stage is not null) await stages.MoveAsync(lead, stage, cause, forwardOnly: false, c);
            return ToDto(handoff) with { RecycleTo = stage?.Key };
        }, ct);

    private async Task<(Lead Lead, Handoff? Pending)> PendingAsync(Guid leadId, string? onlyOwner, CancellationToken ct)
    {
        var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == leadId, ct) ?? throw new NotFoundException("Lead");
        var pending = await db.Handoffs.ForUpdate().FirstOrDefaultAsync(h => h.LeadId == leadId && h.Status == HandoffStatus.Pending, ct);
        if (pending is not null && onlyOwner is not null && pending.Owner != onlyOwner) throw new NotFoundException("Hand-off");
        return (lead, pending);
    }

    /// <summary>Answering twice is harmless: the second answer returns the first, if it was the same answer.</summary>
    private async Task<HandoffDto> AlreadyAsync(Guid leadId, HandoffStatus answer, CancellationToken ct)
    {
        var last = await db.Handoffs.AsNoTracking().Where(h => h.LeadId == leadId).OrderByDescending(h => h.Id).FirstOrDefaultAsync(ct);
        if (last is null) throw new NotFoundException("Hand-off");
        if (last.Status == answer) return ToDto(last);
        throw new ConflictException($"The lead has no hand-off waiting for an answer (the last one is {Status(last.Status)}).");
    }

    private static void Decide(Handoff h, HandoffStatus status, string by, string? reason, DateTimeOffset now)
    {
        h.Status = status;
        h.DecidedAt = now;
        h.DecidedBy = by;
        h.Reason = reason;
    }

    private static string Status(HandoffStatus s) => s.ToString().ToLowerInvariant();

    public static HandoffDto ToDto(Handoff h) => new(h.Id, h.LeadId, h.Origin, h.Owner, Status(h.Status), h.Attempt, h.HandedOffAt, h.AssignedAt,
        h.AcceptBy, h.DecidedAt, h.DecidedBy, h.Reason, h.TaskId, null);
}
