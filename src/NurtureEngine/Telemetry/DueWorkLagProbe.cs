using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Telemetry;

/// <summary>
/// How far behind the workers are: the age of the oldest due enrollment step and of the oldest
/// due outbox message, read from the database (both use the partial indexes on due rows) when
/// <c>/metrics</c> is scraped, at most every few seconds. It is read from the database, not from a
/// worker, so it keeps rising when every worker is down: the case an alert is for.
/// </summary>
public sealed class DueWorkLagProbe(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private (DateTimeOffset At, Measurement<double>[] Values)? _last;

    public IEnumerable<Measurement<double>> Read()
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_last is { } last && now - last.At < CacheFor) return last.Values;
            try
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
                var step = db.Database.SqlQuery<DateTimeOffset?>($"""
                    SELECT min(e.next_step_at) AS "Value" FROM nurture.enrollment e JOIN nurture.sequence s ON s.id = e.sequence_id AND s.status = 'Active'
                    WHERE e.status = 'Active' AND e.next_step_at <= {now}
                    """).Single();
                var send = db.Database.SqlQuery<DateTimeOffset?>($"""
                    SELECT min(not_before) AS "Value" FROM nurture.message WHERE status = 'Scheduled' AND not_before <= {now}
                    """).Single();
                _last = (now, [Lag("enrollments", step, now), Lag("messages", send, now)]);
                return _last.Value.Values;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return []; // the database is down: /health/ready says so; a made-up lag would mislead
            }
        }
    }

    private static Measurement<double> Lag(string work, DateTimeOffset? oldest, DateTimeOffset now) =>
        new(oldest is { } at ? Math.Max(0, (now - at).TotalSeconds) : 0, new KeyValuePair<string, object?>("work", work));
}
