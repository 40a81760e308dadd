using System.Diagnostics.Metrics;
using Hangfire;
using NurtureEngine.Telemetry;

namespace NurtureEngine.Web.Hosting;

/// <summary>
/// Hangfire's own backlog, read through its monitoring API when <c>/metrics</c> is scraped (cached a
/// few seconds): <c>nurture_hangfire_queue_length{queue}</c> and <c>nurture_hangfire_jobs{state}</c>.
/// </summary>
public sealed class HangfireQueueGauge
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly JobStorage _storage;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private (DateTimeOffset At, Measurement<long>[] Queues, Measurement<long>[] Jobs)? _last;

    public HangfireQueueGauge(NurtureMetrics metrics, JobStorage storage, TimeProvider clock)
    {
        _storage = storage;
        _clock = clock;
        metrics.Meter.CreateObservableGauge("nurture.hangfire.queue.length", () => Read().Queues, "{job}", "Jobs waiting in each Hangfire queue");
        metrics.Meter.CreateObservableGauge("nurture.hangfire.jobs", () => Read().Jobs, "{job}", "Hangfire jobs by state: enqueued, scheduled, processing, failed");
    }

    private (Measurement<long>[] Queues, Measurement<long>[] Jobs) Read()
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (_last is { } last && now - last.At < CacheFor) return (last.Queues, last.Jobs);
            try
            {
                var monitoring = _storage.GetMonitoringApi();
                var queues = monitoring.Queues().ToDictionary(q => q.Name, q => q.Length);
                queues.TryAdd("default", 0); // the queue the engine uses is always reported, even before its first job
                var stats = monitoring.GetStatistics();
                _last = (now,
                    queues.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key))).ToArray(),
                    [State("enqueued", stats.Enqueued), State("scheduled", stats.Scheduled), State("processing", stats.Processing), State("failed", stats.Failed)]);
                return (_last.Value.Queues, _last.Value.Jobs);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return ([], []);
            }
        }
    }

    private static Measurement<long> State(string state, long count) => new(count, new KeyValuePair<string, object?>("state", state));
}
