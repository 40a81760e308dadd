using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Leads;

namespace NurtureEngine.Forms;

/// <summary>
/// A pending (double opt-in) lead's sequences hold their emails while a confirmation link is still open, rather
/// than dropping them: the welcome sequence a form's stage started goes out once the lead confirms. When the last
/// link has run out unconfirmed, the email is suppressed as for any lead that may not receive marketing.
/// </summary>
public sealed class ConfirmationHold(NurtureDbContext db, IOptions<FormOptions> options)
{
    /// <summary>Until when the lead's newest confirmation link is valid, or null when no link is awaited.</summary>
    public async Task<DateTimeOffset?> OpenUntilAsync(Lead lead, CancellationToken ct)
    {
        if (lead.Status != LeadStatus.Pending) return null;
        var last = await db.Set<FormSubmission>().Where(s => s.LeadId == lead.Id && s.ConfirmationRequired && s.ConfirmedAt == null)
            .MaxAsync(s => (DateTimeOffset?)s.SubmittedAt, ct);
        return last?.AddDays(options.Value.ConfirmDays);
    }

    /// <summary>
    /// The lead has confirmed: the email steps its sequences hold run now. Only enrollments at a delayed step are
    /// woken (a wait step keeps its end); a step delayed for another reason (send window, out of office) is
    /// re-checked and delays again. Call in the confirming transaction, holding the lead.
    /// </summary>
    public Task<int> ReleaseAsync(Guid leadId, DateTimeOffset now, CancellationToken ct) => db.Database.ExecuteSqlAsync($"""
        UPDATE nurture.enrollment SET next_step_at = {now}
        WHERE lead_id = {leadId} AND status = 'Active' AND wait_until IS NULL AND next_step_at > {now}
        """, ct);
}
