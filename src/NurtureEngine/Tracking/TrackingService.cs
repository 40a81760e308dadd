using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Settings;
using NurtureEngine.Timeline;

namespace NurtureEngine.Tracking;

/// <summary>
/// Opens, clicks and unsubscribes from public links, authorised only by the signed token. A bad
/// token records nothing; a click goes only to a link stored with the message.
/// </summary>
public sealed class TrackingService(NurtureDbContext db, UnitOfWork work, EngagementRecorder engagement, TimelineWriter timeline,
    InstallationSecrets secrets, IOptions<NurtureOptions> options, TimeProvider clock)
{
    /// <summary>Records an open, at most once per message per minute.</summary>
    public Task RecordOpenAsync(string token, string? userAgent, CancellationToken ct) => work.RunAsync(async c =>
    {
        if (await MessageForAsync(token, TrackingKind.Open, c) is not { } found) return;
        var (message, lead) = found;
        var now = clock.GetUtcNow();
        var recent = now.AddMinutes(-1);
        var opens = options.Value.Opens;
        if (MachineOpenDetector.Reason(userAgent, message.SentAt, now, opens) is { } machine && !opens.CountMachineOpens)
        {
            // On the timeline, flagged; no score, no trigger, no "opened" condition.
            if (await db.Activities.AnyAsync(a => a.MessageId == message.Id && a.Kind == ActivityKind.MachineOpened && a.At > recent, c)) return;
            timeline.Add(lead.Id, ActivityKind.MachineOpened, $"Opened by a machine ({machine}): \"{message.Subject}\" (not counted)",
                new { subject = message.Subject, userAgent, machine = true, reason = machine }, message.Id, message.SequenceId, message.StepId);
            return;
        }
        if (await db.Activities.AnyAsync(a => a.MessageId == message.Id && a.Kind == ActivityKind.EmailOpened && a.At > recent, c)) return;
        await engagement.RecordAsync(lead, ActivityKind.EmailOpened, $"Opened \"{message.Subject}\"",
            new { subject = message.Subject, userAgent }, message.Id, message.SequenceId, message.StepId, c);
    }, ct);

    /// <summary>The stored link for the token, recording the click; null for a bad token or link.</summary>
    public Task<string?> RecordClickAsync(string token, CancellationToken ct) => work.RunAsync(async c =>
    {
        var parsed = TrackingToken.Verify(token, secrets.TrackingKey, TrackingKind.Click);
        if (parsed is null || await MessageForAsync(token, TrackingKind.Click, c) is not { } found) return null;
        var (message, lead) = found;
        if (parsed.LinkIndex >= message.Links.Count) return null;
        var url = message.Links[parsed.LinkIndex];
        await engagement.RecordAsync(lead, ActivityKind.EmailClicked, $"Clicked {url} in \"{message.Subject}\"",
            new { url, subject = message.Subject }, message.Id, message.SequenceId, message.StepId, c);
        return url;
    }, ct);

    public async Task<(Message Message, Lead Lead)?> FindForUnsubscribeAsync(string token, CancellationToken ct) =>
        await MessageForAsync(token, TrackingKind.Unsubscribe, ct);

    /// <summary>RFC 8058 one-click unsubscribe; idempotent. False for a bad token.</summary>
    public Task<bool> UnsubscribeAsync(string token, string how, CancellationToken ct) => work.RunAsync(async c =>
    {
        if (await MessageForAsync(token, TrackingKind.Unsubscribe, c) is not { } found) return false;
        var (message, lead) = found;
        if (lead.Status == LeadStatus.Unsubscribed) return true;
        lead.Status = LeadStatus.Unsubscribed;
        lead.StatusReason = how;
        lead.UpdatedAt = clock.GetUtcNow();
        await engagement.RecordAsync(lead, ActivityKind.Unsubscribed, $"Unsubscribed ({how})",
            new { how, subject = message.Subject }, message.Id, message.SequenceId, message.StepId, c);
        return true;
    }, ct);

    public Task<bool> ResubscribeAsync(string token, CancellationToken ct) => work.RunAsync(async c =>
    {
        if (await MessageForAsync(token, TrackingKind.Unsubscribe, c) is not { } found) return false;
        var (_, lead) = found;
        if (lead.Status != LeadStatus.Unsubscribed) return true;
        lead.Status = LeadStatus.Subscribed;
        lead.StatusReason = null;
        lead.UpdatedAt = clock.GetUtcNow();
        timeline.Add(lead.Id, ActivityKind.Updated, "Resubscribed by the lead's explicit choice", new { fields = new[] { "status" } });
        return true;
    }, ct);

    private async Task<(Message, Lead)?> MessageForAsync(string token, TrackingKind kind, CancellationToken ct)
    {
        if (TrackingToken.Verify(token, secrets.TrackingKey, kind) is not { } parsed) return null;
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == parsed.MessageId, ct);
        if (message is null) return null;
        var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == message.LeadId, ct);
        return lead is null ? null : (message, lead);
    }
}
