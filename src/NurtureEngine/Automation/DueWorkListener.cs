using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NurtureEngine.Settings;

namespace NurtureEngine.Automation;

/// <summary>
/// Wakes this worker the moment work becomes due: <see cref="HangfireDueWorkSignal"/> sends a
/// PostgreSQL <c>NOTIFY</c> with every "run now" nudge, and this listener drains at once instead of
/// waiting for Hangfire to poll its queue. Only a shortcut: the Hangfire job and the once-a-minute
/// sweep still run, so a lost connection or notification delays work, never loses it.
/// </summary>
public sealed partial class DueWorkListener(IConfiguration configuration, IServiceScopeFactory scopes, IOptions<NurtureOptions> options,
    ILogger<DueWorkListener> logger) : BackgroundService
{
    public const string ChannelName = "nurture_due_work";
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!options.Value.RunsWorker) return;
        // Wakes coalesce: one pending drain covers every notification that arrives before it starts.
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        var drain = DrainOnWakeAsync(wake.Reader, ct);
        var retry = TimeSpan.FromSeconds(1);
        var connectionString = NurtureServiceCollectionExtensions.ConnectionString(configuration);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                connection.Notification += (_, _) => wake.Writer.TryWrite(true);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                wake.Writer.TryWrite(true); // whatever was signalled while nobody listened
                retry = TimeSpan.FromSeconds(1);
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
            {
                LogListenFailed(logger, retry, e);
                try { await Task.Delay(retry, ct); } catch (OperationCanceledException) { break; }
                retry = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, retry.Ticks * 2));
            }
        }
        wake.Writer.TryComplete();
        await drain;
    }

    private async Task DrainOnWakeAsync(ChannelReader<bool> wake, CancellationToken ct)
    {
        try
        {
            await foreach (var _ in wake.ReadAllAsync(ct))
            {
                try
                {
                    using var scope = scopes.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<DueWorkJob>().DrainAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogDrainFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for due-work notifications failed; retrying in {Retry} (Hangfire polling covers the gap)")]
    static partial void LogListenFailed(ILogger logger, TimeSpan retry, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining due work on a notification failed; the Hangfire job and sweep will retry")]
    static partial void LogDrainFailed(ILogger logger, Exception e);
}
