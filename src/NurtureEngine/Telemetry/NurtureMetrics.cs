using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NurtureEngine.Telemetry;

/// <summary>
/// The engine's instruments, on the <c>NurtureEngine</c> meter (exported at <c>/metrics</c> in
/// Prometheus text format: dots become underscores, counters get <c>_total</c>, seconds get <c>_seconds</c>).
/// Tags never carry personal data: only outcomes, kinds and queue names.
/// </summary>
public sealed class NurtureMetrics
{
    public const string MeterName = "NurtureEngine";

    /// <summary>Spans around API → event → enrollment → send.</summary>
    public static readonly ActivitySource Tracing = new(MeterName);

    private readonly Counter<long> _emails;
    private readonly Counter<long> _events;
    private readonly Histogram<int> _claims;
    private readonly Histogram<double> _smtp;
    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _inboundPolls;

    public NurtureMetrics(IMeterFactory meters, DueWorkLagProbe lag)
    {
        Meter = meters.Create(MeterName);
        _emails = Meter.CreateCounter<long>("nurture.emails", "{email}",
            "Emails by outcome: sent, failed, unknown, retry, suppressed; kind marketing or internal");
        _events = Meter.CreateCounter<long>("nurture.events.ingested", "{event}",
            "Behaviour events posted to the API, by result: accepted, duplicate, rejected");
        _claims = Meter.CreateHistogram<int>("nurture.claim.batch.size", "{item}",
            "Due work taken per batch (work: enrollments, or messages claimed from the outbox or handed off by the step runner); empty claims are not recorded",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });
        _smtp = Meter.CreateHistogram<double>("nurture.smtp.duration", "s",
            "Time to hand one message to the SMTP relay (or the dev inbox), by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _webhooks = Meter.CreateCounter<long>("nurture.webhooks.attempts", "{attempt}",
            "Outbound webhook attempts by outcome: delivered, retry, failed");
        _inboundPolls = Meter.CreateCounter<long>("nurture.inbound.polls", "{poll}",
            "Polls of the inbound IMAP mailbox by outcome: ok, failed (server unreachable, connection lost, login refused)");
        Meter.CreateObservableGauge("nurture.due_work.lag", lag.Read, "s",
            "Age of the oldest due work not yet done (work: enrollments or messages); 0 when nothing is overdue");
    }

    /// <summary>For instruments the hosting layer adds (Hangfire queue lengths).</summary>
    public Meter Meter { get; }

    public void Email(string outcome, string kind) =>
        _emails.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("kind", kind));

    public void EventsIngested(int accepted, int duplicates, int rejected)
    {
        if (accepted > 0) _events.Add(accepted, new KeyValuePair<string, object?>("result", "accepted"));
        if (duplicates > 0) _events.Add(duplicates, new KeyValuePair<string, object?>("result", "duplicate"));
        if (rejected > 0) _events.Add(rejected, new KeyValuePair<string, object?>("result", "rejected"));
    }

    public void Claimed(string work, int count)
    {
        if (count > 0) _claims.Record(count, new KeyValuePair<string, object?>("work", work));
    }

    public void Webhook(string outcome) => _webhooks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void InboundPoll(string outcome) => _inboundPolls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void SmtpDuration(TimeSpan elapsed, string outcome) =>
        _smtp.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
}
