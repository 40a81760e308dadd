using System.Collections.Concurrent;

namespace NurtureEngine.Mail;

/// <summary>
/// Hands emails the step runner has just queued straight to the SMTP lanes of the same drain. The runner writes
/// them already leased to this process's sender (<see cref="Owner"/>) and offers them here once its transaction has
/// committed; the sender takes them before it claims from the outbox, so they cost neither the claim's lease
/// update nor a second read of their rows. Screening is not needed again either: the runner decided, in the same
/// transaction, holding the lead, that the lead may receive them. Whatever is not taken stays leased and scheduled
/// in the database (the lease runs out, or the sender hands it back on shutdown): nothing here is the only copy.
/// </summary>
public sealed class OutboxHandoff(string owner, TimeSpan lease, int capacity)
{
    private readonly ConcurrentQueue<Message> _messages = new();
    private int _count;

    /// <summary>The sender's lease owner: the runner writes the handed-off rows leased to it.</summary>
    public string Owner => owner;

    public TimeSpan Lease => lease;

    /// <summary>Whether <paramref name="count"/> more would fit; otherwise the runner leaves them to the sender's claim.</summary>
    public bool HasRoomFor(int count) => Volatile.Read(ref _count) + count <= capacity;

    /// <summary>Call only after the transaction that wrote them (leased to <see cref="Owner"/>) has committed.</summary>
    public void Offer(IReadOnlyCollection<Message> messages)
    {
        foreach (var m in messages) _messages.Enqueue(m);
        Interlocked.Add(ref _count, messages.Count);
    }

    /// <summary>Takes up to <paramref name="max"/> offered emails, oldest first.</summary>
    public List<Message> Take(int max)
    {
        var taken = new List<Message>();
        while (taken.Count < max && _messages.TryDequeue(out var m)) taken.Add(m);
        Interlocked.Add(ref _count, -taken.Count);
        return taken;
    }
}
