namespace NurtureEngine.Common;

/// <summary>
/// How a producer (the step runner filling the outbox) tells a consumer (the sender) that more may be
/// there to take, and when it has finished: the sender then takes what is left once more and stops.
/// </summary>
public sealed class WorkProgress : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private int _complete;

    public bool IsComplete => Volatile.Read(ref _complete) == 1;

    public void Progressed() => _signal.Release();

    public void Complete()
    {
        Volatile.Write(ref _complete, 1);
        _signal.Release();
    }

    /// <summary>Returns when the producer made progress or finished since the last wait.</summary>
    public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(ct);

    /// <summary>A producer that has already finished: take what is due, then stop.</summary>
    public static WorkProgress Finished()
    {
        var progress = new WorkProgress();
        progress.Complete();
        return progress;
    }

    public void Dispose() => _signal.Dispose();
}
