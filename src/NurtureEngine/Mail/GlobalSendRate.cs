using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Settings;
using NurtureEngine.Timeline;

namespace NurtureEngine.Mail;

/// <summary>
/// The installation's global send rate (<c>Nurture:SendRatePerSecond</c>), enforced where emails
/// leave: a worker may claim only as many due outbox messages as the shared token bucket in
/// PostgreSQL holds (one second's worth at most), so N workers together never exceed the rate.
/// A held-back email stays scheduled (never dropped); one held back for a meaningful time gets an
/// <c>email_delayed</c> timeline entry saying so when it is released.
/// </summary>
public sealed class GlobalSendRate(NurtureDbContext db, TimelineWriter timeline, IOptions<NurtureOptions> options, TimeProvider clock)
{
    /// <summary>A wait shorter than this is not worth a timeline entry.</summary>
    public static readonly TimeSpan Meaningful = TimeSpan.FromSeconds(10);

    private double Rate => options.Value.SendRatePerSecond;
    private double Capacity => Math.Max(1, Rate);

    /// <summary>Runs <paramref name="claim"/> with as many messages as the rate allows now (all of <paramref name="wanted"/> when the rate is off).</summary>
    public async Task<List<T>> ClaimAsync<T>(int wanted, Func<int, Task<List<T>>> claim, Func<T, Guid> id, CancellationToken ct)
    {
        if (Rate <= 0) return await claim(wanted);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var state = await db.SendRateState.FromSql($"SELECT * FROM nurture.send_rate_state WHERE id = 1 FOR UPDATE").SingleAsync(ct);
        var now = clock.GetUtcNow();
        var available = Available(state, now);
        var granted = (int)Math.Min(wanted, Math.Floor(available));
        var claimed = granted > 0 ? await claim(granted) : [];
        var wasBehind = state.BehindSince;
        state.Tokens = available - claimed.Count;
        state.RefreshedAt = now;
        // Held back: we could not ask for all we wanted and took all we asked for (more are likely due).
        if (granted < wanted && claimed.Count == granted) state.BehindSince ??= now;
        else if (granted > 0) state.BehindSince = null;
        if (wasBehind is not null && claimed.Count > 0) await ExplainDelaysAsync(claimed.Select(id).ToList(), now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return claimed;
    }

    /// <summary>When the next token is available (null: the rate is off or a token is available now).</summary>
    public async Task<DateTimeOffset?> NextTokenAtAsync(CancellationToken ct)
    {
        if (Rate <= 0) return null;
        var state = await db.SendRateState.AsNoTracking().SingleAsync(ct);
        var now = clock.GetUtcNow();
        var available = Available(state, now);
        return available >= 1 ? null : now + TimeSpan.FromSeconds((1 - available) / Rate);
    }

    private double Available(SendRateState state, DateTimeOffset now) => state.RefreshedAt is not { } at ? Capacity
        : Math.Min(Capacity, state.Tokens + Math.Max(0, (now - at).TotalSeconds) * Rate);

    private async Task ExplainDelaysAsync(List<Guid> claimed, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - Meaningful;
        var late = await db.Messages.AsNoTracking().Where(m => claimed.Contains(m.Id) && m.NotBefore <= since)
            .Select(m => new { m.Id, m.LeadId, m.Subject, m.StepId, m.SequenceId, m.NotBefore }).ToListAsync(ct);
        var reason = $"global send rate: {Rate.ToString("0.###", CultureInfo.InvariantCulture)} emails per second";
        foreach (var m in late)
            timeline.Add(m.LeadId, ActivityKind.EmailDelayed, $"Email \"{m.Subject}\" held back by the {reason} from {m.NotBefore:u} until {now:u}",
                new { step = m.StepId, until = now, reason }, m.Id, m.SequenceId, m.StepId);
    }
}
