using System.Net;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Settings;
using NurtureEngine.Timeline;
using NurtureEngine.Tracking;

namespace NurtureEngine.Sales;

/// <summary>
/// Runs every minute: a hand-off not accepted by its <c>acceptBy</c> is breached. The breach is on the lead's
/// timeline, the team's manager (the rule's <c>manager</c>, else every admin) gets an email, and the lead goes to the next rep of the team with a new accept
/// task, until everyone in the team has had a turn. Due rows are claimed with their lead (<c>FOR UPDATE OF h, l
/// SKIP LOCKED</c>) and marked breached in the same transaction as the new rep's row, so two sweeps never handle
/// one breach and a lead another writer holds is simply taken by the next sweep.
/// </summary>
public sealed class HandoffSlaJob(NurtureDbContext db, UnitOfWork work, HandoffService handoffs, TimelineWriter timeline,
    InstallationSettings settings, PublicUrls urls, TimeProvider clock)
{
    public const string Id = "handoff-sla";
    public const string Breached = "handoff_breached";
    private const int Batch = 50;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var breached = 0;
        for (int n; !ct.IsCancellationRequested && (n = await BreachDueAsync(Batch, ct)) > 0;)
        {
            breached += n;
            if (n < Batch) break;
        }
        return breached;
    }

    /// <summary>Handles up to <paramref name="limit"/> breaches due now; returns how many.</summary>
    public Task<int> BreachDueAsync(int limit, CancellationToken ct) => work.RunAsync(async c =>
    {
        var now = clock.GetUtcNow();
        var due = await db.Handoffs.FromSql($"""
            SELECT h.* FROM nurture.handoff h JOIN nurture.lead l ON l.id = h.lead_id
            WHERE h.status = 'Pending' AND h.accept_by <= {now}
            ORDER BY h.accept_by LIMIT {limit}
            FOR UPDATE OF h, l SKIP LOCKED
            """).ToListAsync(c);
        if (due.Count == 0) return 0;
        var leadIds = due.Select(h => h.LeadId).ToList();
        var leads = await db.Leads.Where(l => leadIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, c);
        List<string>? admins = null;
        foreach (var h in due.OrderBy(h => h.LeadId))
        {
            var lead = leads[h.LeadId];
            var rule = Json.Deserialize<HandoffRule>(h.RuleJson);
            h.Status = HandoffStatus.Breached;
            h.DecidedAt = now;
            h.DecidedBy = "sla";
            await handoffs.CloseTaskAsync(h, "sla breach", c);
            var next = h.Attempt < rule.Team!.Count ? rule.NextAfter(h.Owner) : null;
            var managers = rule.Manager is { } manager ? [HandoffRule.Normal(manager)] : admins ??= await AdminEmailsAsync(c);
            var notices = managers.Select(m => Notice(lead, h, m, next, now)).ToList();
            db.Messages.AddRange(notices);
            var told = notices.Count == 0 ? null : string.Join(", ", notices.Select(n => n.ToAddress));
            timeline.Add(lead.Id, Breached, $"Hand-off SLA breached: {h.Owner} did not accept within {rule.AcceptWithin ?? HandoffRule.DefaultAcceptWithin}"
                    + (next is null ? "; everyone in the team has had a turn" : $"; reassigned to {next}")
                    + (told is null ? "" : $"; {(rule.Manager is null ? "admins" : "manager")} {told} told"),
                new { handoff = h.Id, owner = h.Owner, acceptBy = h.AcceptBy, attempt = h.Attempt, manager = told, next }, notices.FirstOrDefault()?.Id);
            await db.SaveChangesAsync(c); // the breached row leaves the one-pending-per-lead index before the next rep's row enters it
            if (next is null) continue;
            var where = h.StageId is { } stageId ? await db.Stages.Where(s => s.Id == stageId).Select(s => s.Name).FirstOrDefaultAsync(c) : null;
            await handoffs.GiveAsync(lead, rule, next, h.Origin, h.StageId, where ?? h.Origin, h.HandedOffAt, h.Attempt + 1, c);
        }
        work.WorkDueNow();
        return due.Count;
    }, ct);

    /// <summary>Who is told of a breach when the rule names no manager: the installation's admins, so a breach never goes unseen.</summary>
    private async Task<List<string>> AdminEmailsAsync(CancellationToken ct) =>
        await (from u in db.Users
               join ur in db.UserRoles on u.Id equals ur.UserId
               join r in db.Roles on ur.RoleId equals r.Id
               where r.Name == "Admin" && u.Email != null
               orderby u.Email
               select u.Email!.ToLower()).Distinct().ToListAsync(ct);

    private Message Notice(Leads.Lead lead, Handoff h, string manager, string? next, DateTimeOffset now)
    {
        var link = $"{urls.BaseUrl}/leads/{lead.Id}";
        var then = next is null ? "Everyone in the team has had a turn: the lead needs you." : $"The lead is now {next}'s to accept.";
        string E(string s) => WebUtility.HtmlEncode(s);
        return InternalMessage.Create(lead.Id, manager, settings.Nurture.Sender, $"Hand-off not accepted in time: {lead.DisplayName} ({h.Owner})",
            $"<p>{E(h.Owner)} did not accept the hand-off of <strong>{E(lead.DisplayName)}</strong> &lt;{E(lead.Email)}&gt; by {h.AcceptBy:u}.</p><p>{E(then)}</p>"
                + $"<p><a href=\"{E(link)}\">Open the lead</a></p>",
            $"{h.Owner} did not accept the hand-off of {lead.DisplayName} <{lead.Email}> by {h.AcceptBy:u}.\n\n{then}\n\nOpen the lead: {link}\n", now);
    }
}
