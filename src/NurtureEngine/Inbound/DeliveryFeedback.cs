using System.Net;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Settings;
using NurtureEngine.Suppressions;
using NurtureEngine.Timeline;

namespace NurtureEngine.Inbound;

/// <summary>
/// What a bounce, complaint, delivery report or reply does to a lead, whichever way it came in
/// (the mailbox, the delivery webhook, or an SMTP rejection at send time). Runs inside the caller's
/// unit of work: every effect commits with the input that caused it.
/// </summary>
public sealed class DeliveryFeedback(
    NurtureDbContext db, UnitOfWork work, EngagementRecorder engagement, TimelineWriter timeline, SuppressionList suppressions,
    IOptions<NurtureOptions> options, InstallationSettings settings, TimeProvider clock)
{
    public static readonly TimeSpan SoftBounceWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// Records <c>email_bounced</c> { type, status, reason }. Hard: the lead is <c>bounced</c> at once
    /// and the address suppressed. Soft: the same after <c>Nurture:SoftBounceLimit</c> soft bounces within 30 days.
    /// </summary>
    public async Task BounceAsync(Lead? lead, string? address, Message? message, bool hard, string? status, string reason, string? category,
        string source, CancellationToken ct)
    {
        var type = hard ? "hard" : "soft";
        if (lead is null)
        {
            // No lead holds the address (erased, or never one of ours): still never mail it again.
            if (hard && address is not null) await suppressions.AddAsync(address, "hard_bounce", $"{status} {reason}".Trim(), ct);
            return;
        }
        await engagement.RecordAsync(lead, ActivityKind.EmailBounced,
            $"{(hard ? "Hard" : "Soft")} bounce{(status is null ? "" : $" {status}")}: {reason}",
            new { type, status, reason, category, source, subject = message?.Subject },
            message?.Id, message?.SequenceId, message?.StepId, ct);
        var now = clock.GetUtcNow();
        if (hard)
        {
            await SetStatusAsync(lead, LeadStatus.Bounced, $"hard bounce {status}: {reason}", ct);
            await suppressions.AddAsync(lead.Email, "hard_bounce", $"{status} {reason}".Trim(), ct);
            return;
        }
        lead.SoftBounces++;
        lead.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        var since = now - SoftBounceWindow;
        var recent = await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM nurture.activity
            WHERE lead_id = {lead.Id} AND kind = {ActivityKind.EmailBounced} AND at >= {since} AND data->>'type' = 'soft'
            """).SingleAsync(ct);
        var limit = options.Value.SoftBounceLimit;
        if (recent >= limit && lead.Status == LeadStatus.Subscribed)
        {
            await SetStatusAsync(lead, LeadStatus.Bounced, $"{recent} soft bounces within 30 days (limit {limit}); last: {reason}", ct);
            await suppressions.AddAsync(lead.Email, "soft_bounces", $"{recent} soft bounces within 30 days; last {status} {reason}".Trim(), ct);
        }
    }

    /// <summary>An abuse report: the lead is <c>complained</c> and the address suppressed everywhere.</summary>
    public async Task ComplaintAsync(Lead? lead, string? address, Message? message, string reason, string source, CancellationToken ct)
    {
        var email = lead?.Email ?? address;
        if (email is not null) await suppressions.AddAsync(email, "complaint", reason, ct);
        if (lead is null) return;
        if (lead.Status != LeadStatus.Complained) await SetStatusAsync(lead, LeadStatus.Complained, reason, ct);
        await engagement.RecordAsync(lead, ActivityKind.Complained, $"Marked as spam: {reason}",
            new { reason, source, subject = message?.Subject }, message?.Id, message?.SequenceId, message?.StepId, ct);
    }

    /// <summary>
    /// An authentication failure report about an email to the lead: on the timeline for whoever looks after
    /// deliverability (SPF, DKIM, DMARC). The lead's status, score and sequences are untouched: they did nothing.
    /// </summary>
    public void AuthFailure(Lead lead, Message? message, string? reason) =>
        timeline.Add(lead.Id, ActivityKind.EmailAuthFailed, $"Email{(message is null ? "" : $" \"{message.Subject}\"")} failed authentication at the receiver (SPF, DKIM or DMARC)",
            new { reason, source = "mailbox" }, message?.Id, message?.SequenceId, message?.StepId);

    public Task DeliveredAsync(Lead lead, Message? message, string? status, string source)
    {
        timeline.Add(lead.Id, ActivityKind.EmailDelivered, $"Email{(message is null ? "" : $" \"{message.Subject}\"")} delivered",
            new { status, source }, message?.Id, message?.SequenceId, message?.StepId);
        return Task.CompletedTask;
    }

    /// <summary>An automatic reply (out of office, vacation, read receipt): on the timeline. It counts as
    /// nothing — no score, no trigger, no exit — since no person read or answered. One that says when its
    /// writer is back (<see cref="ReturnDate"/>) holds the lead's sequence email until the day after.</summary>
    public void AutoReply(Lead lead, Message? answered, string? subject, string? from, string? reason, string? text)
    {
        var zone = SendWindowCalculator.Zone(lead.TimeZone ?? settings.Nurture.DefaultTimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
        var back = ReturnDate.Find($"{subject}\n{text}", today);
        if (back is { } day)
        {
            var until = SendWindowCalculator.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue), zone);
            if (lead.AwayUntil is null || lead.AwayUntil < until) lead.AwayUntil = until;
        }
        timeline.Add(lead.Id, ActivityKind.AutoReplied, OneLine($"Automatic reply ({reason}): {subject}", 480),
            new { subject, from, reason, returnsOn = back?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
            answered?.Id, answered?.SequenceId, answered?.StepId);
    }

    /// <summary>A person answered: <c>email_replied</c> (scoring, triggers, exitWhen replied) and an email to the lead's owner.</summary>
    public async Task ReplyAsync(Lead lead, Message? answered, string? subject, string? from, string text, CancellationToken ct)
    {
        answered ??= await LatestSentAsync(lead, ct);
        var snippet = text.Length > 2000 ? text[..2000] + "…" : text;
        await engagement.RecordAsync(lead, ActivityKind.EmailReplied, $"Replied{(answered is null ? "" : $" to \"{answered.Subject}\"")}: {OneLine(snippet, 200)}",
            new { subject, from, text = snippet, inReplyTo = answered?.Subject }, answered?.Id, answered?.SequenceId, answered?.StepId, ct);
        if (string.IsNullOrWhiteSpace(lead.Owner)) return;
        var now = clock.GetUtcNow();
        var sender = settings.Nurture.Sender;
        var notice = new Message
        {
            LeadId = lead.Id, Kind = MessageKind.Internal, ToAddress = lead.Owner, FromAddress = sender.Email, FromName = sender.Name,
            Subject = OneLine($"{lead.DisplayName} replied: {subject}", 250),
            Text = $"{lead.DisplayName} <{lead.Email}> replied{(answered is null ? "" : $" to \"{answered.Subject}\"")}:\n\n{snippet}\n",
            Html = $"<p><strong>{WebUtility.HtmlEncode(lead.DisplayName)}</strong> &lt;{WebUtility.HtmlEncode(lead.Email)}&gt; replied"
                + $"{(answered is null ? "" : $" to &ldquo;{WebUtility.HtmlEncode(answered.Subject)}&rdquo;")}:</p>"
                + $"<blockquote style=\"white-space:pre-wrap\">{WebUtility.HtmlEncode(snippet)}</blockquote>",
            MessageIdHeader = "", CreatedAt = now, NotBefore = now,
        };
        notice.MessageIdHeader = $"{notice.Id:N}@{sender.Domain}";
        db.Messages.Add(notice);
        timeline.Add(lead.Id, ActivityKind.OwnerNotified, $"Owner {lead.Owner} notified of the reply", new { owner = lead.Owner, reason = "reply" }, notice.Id);
        work.WorkDueNow();
    }

    private Task<Message?> LatestSentAsync(Lead lead, CancellationToken ct) =>
        db.Messages.AsNoTracking().Where(m => m.LeadId == lead.Id && m.Kind == MessageKind.Marketing && m.Status == MessageStatus.Sent)
            .OrderByDescending(m => m.SentAt).FirstOrDefaultAsync(ct);

    private async Task SetStatusAsync(Lead lead, LeadStatus status, string reason, CancellationToken ct)
    {
        if (lead.Status == status) return;
        var from = lead.Status;
        lead.Status = status;
        lead.StatusReason = reason.Length > 500 ? reason[..500] : reason;
        lead.UpdatedAt = clock.GetUtcNow();
        timeline.Add(lead.Id, ActivityKind.Updated, $"Status {from.ToString().ToLowerInvariant()} → {status.ToString().ToLowerInvariant()}: {reason}",
            new { fields = new[] { "status" }, from = from.ToString().ToLowerInvariant(), to = status.ToString().ToLowerInvariant(), reason });
        await db.SaveChangesAsync(ct);
    }

    private static string OneLine(string s, int max)
    {
        var line = HeaderText.OneLine(s);
        return line.Length > max ? line[..max] + "…" : line;
    }
}
