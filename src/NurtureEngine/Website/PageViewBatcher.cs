using System.Threading.Channels;

namespace NurtureEngine.Website;

/// <summary>
/// Group commit for page-view beacons: concurrent beacons are written by one transaction, and each request is
/// answered only after that transaction committed (accepted means committed: a kill loses no accepted view; the
/// views of unanswered requests were never accepted). One writer at a time takes every beacon waiting, up to
/// <see cref="MaxGroup"/>; a group that fails is written again one beacon per transaction, so a bad beacon fails alone.
/// </summary>
public sealed class PageViewBatcher(IServiceScopeFactory scopes)
{
    public const int MaxGroup = 500;

    private sealed record Item(PageViewInput Input, Guid? Lead, TaskCompletionSource Done);

    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>();
    private int _writing;

    public Task RecordAsync(PageViewInput input, Guid? identifiedLead, CancellationToken ct)
    {
        if (WebsiteTracker.Clean(input) is null) return Task.CompletedTask;
        var item = new Item(input, identifiedLead, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Writer.TryWrite(item);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0) _ = Task.Run(WriteAllAsync, CancellationToken.None);
        return item.Done.Task.WaitAsync(ct);
    }

    private async Task WriteAllAsync()
    {
        while (true)
        {
            var group = new List<Item>();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var item)) group.Add(item);
            if (group.Count > 0) { await WriteAsync(group); continue; }
            Volatile.Write(ref _writing, 0);
            // A beacon queued after the last read but before the flag dropped starts no writer of its own: take it here.
            if (!_queue.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _writing, 1, 0) != 0) return;
        }
    }

    private async Task WriteAsync(List<Item> group)
    {
        try
        {
            using var scope = scopes.CreateScope();
            await scope.ServiceProvider.GetRequiredService<WebsiteTracker>().RecordManyAsync(group.Select(i => (i.Input, i.Lead)).ToList(), CancellationToken.None);
            foreach (var i in group) i.Done.TrySetResult();
            return;
        }
        catch (Exception) when (group.Count > 1)
        {
            // One at a time below: the one that fails again fails alone.
        }
        catch (Exception e)
        {
            group[0].Done.TrySetException(e);
            return;
        }
        foreach (var i in group)
        {
            try
            {
                using var scope = scopes.CreateScope();
                await scope.ServiceProvider.GetRequiredService<WebsiteTracker>().RecordAsync(i.Input, i.Lead, CancellationToken.None);
                i.Done.TrySetResult();
            }
            catch (Exception e) { i.Done.TrySetException(e); }
        }
    }
}
