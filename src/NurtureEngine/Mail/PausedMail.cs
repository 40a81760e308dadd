using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Mail;

/// <summary>
/// Pausing a sequence or a broadcast takes its queued email back from the SMTP lanes at once. Whatever a worker
/// holds leased and has not yet marked <c>sending</c> (claimed from the outbox, or handed straight to the lanes by
/// the runner) loses its lease: a lane marks only what is still leased to it, so none of it goes out, and the claim
/// skips it until the pause ends. Call in the pausing transaction.
/// </summary>
public static class PausedMail
{
    public static Task<int> TakeBackFromSequenceAsync(NurtureDbContext db, long sequenceId, CancellationToken ct) => db.Database.ExecuteSqlAsync($"""
        UPDATE nurture.message SET lease_owner = NULL, lease_until = NULL
        WHERE sequence_id = {sequenceId} AND status = 'Scheduled' AND lease_owner IS NOT NULL
        """, ct);

    public static Task<int> TakeBackFromBroadcastAsync(NurtureDbContext db, long broadcastId, CancellationToken ct) => db.Database.ExecuteSqlAsync($"""
        UPDATE nurture.message SET lease_owner = NULL, lease_until = NULL
        WHERE broadcast_id = {broadcastId} AND status = 'Scheduled' AND lease_owner IS NOT NULL
        """, ct);
}
