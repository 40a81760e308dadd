using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Suppressions;

namespace NurtureEngine.Leads;

/// <summary>
/// Erasure (GDPR, <c>DELETE /api/v1/leads/{id}</c>): the lead and everything held on it go (timeline,
/// messages, enrollments, tasks, segment memberships cascade with it); inbound-mail records keep no
/// address; only the SHA-256 of the address stays, on the suppression list, so it is never mailed again.
/// </summary>
public sealed class LeadEraser(NurtureDbContext db, UnitOfWork work, SuppressionList suppressions)
{
    public Task<bool> EraseAsync(Guid id, CancellationToken ct) => work.RunAsync(async c =>
    {
        var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == id, c);
        if (lead is null) return false;
        await suppressions.AddAsync(lead.Email, "erasure", "the lead's personal data was erased", c);
        await db.InboundMessages.Where(m => m.LeadId == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LeadId, (Guid?)null).SetProperty(m => m.FromAddress, (string?)null).SetProperty(m => m.Subject, (string?)null), c);
        var address = lead.EmailNormalized;
        await db.DevInbox.Where(m => m.ToAddress.ToLower() == address).ExecuteDeleteAsync(c);
        db.Leads.Remove(lead);
        await db.SaveChangesAsync(c);
        return true;
    }, ct);
}
