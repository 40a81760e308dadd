using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Inbound;
using NurtureEngine.Leads;
using NurtureEngine.Suppressions;
using NurtureEngine.Telemetry;
using NurtureEngine.Timeline;

namespace NurtureEngine.Mail;

/// <summary>
/// Sends the outbox. Guarantee: at most once per (enrollment, step), and never silently lost.
/// A batch is leased (<c>FOR UPDATE SKIP LOCKED</c>); each message is marked <c>sending</c> in a
/// committed row before SMTP starts. A worker that dies before that leaves the message scheduled
/// for another worker when the lease expires; one that dies during SMTP leaves it <c>sending</c>,
/// which the sweep turns into <c>unknown</c> (recorded, never resent: a duplicate is worse).
/// </summary>
public sealed partial class OutboxSender(
    IServiceScopeFactory scopes, IMailTransport transport, MimeMessageBuilder builder,
    IOptions<SmtpOptions> smtp, IOptions<Settings.NurtureOptions> options, NurtureMetrics metrics, TimeProvider clock, ILogger<OutboxSender> logger)
{
    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.SendLeaseSeconds);
    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";

    public async Task<int> SendDueBatchAsync(int batchSize, CancellationToken ct)
    {
        var batch = await ClaimAsync(batchSize, ct);
        try
        {
            // Shutting down stops new sends; one already started runs to its end (bounded by the SMTP
            // timeout): cancelling it after the final dot would only turn a sent email into "unknown".
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = smtp.Value.MaxConnections, CancellationToken = ct },
                async (id, _) => await SendOneAsync(id, CancellationToken.None));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: hand back at once what this worker claimed but never started, so
            // another worker sends it now rather than when the lease runs out.
            await ReleaseAsync(batch);
            throw;
        }
        return batch.Count;
    }

    private async Task ReleaseAsync(List<Guid> claimed)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var ids = claimed.ToArray();
        var released = await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.message SET lease_owner = NULL, lease_until = NULL
            WHERE id = ANY({ids}) AND status = 'Scheduled' AND lease_owner = {_owner}
            """, CancellationToken.None);
        LogReleased(logger, released);
    }

    /// <summary>Messages left <c>sending</c> by a dead worker: the outcome is unknown; record it, never resend.</summary>
    public async Task<int> ResolveAbandonedAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var timeline = scope.ServiceProvider.GetRequiredService<TimelineWriter>();
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var abandoned = await db.Messages.FromSql($"""
            SELECT * FROM nurture.message WHERE status = 'Sending' AND lease_until < {now} FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        foreach (var m in abandoned)
        {
            m.Status = MessageStatus.Unknown;
            m.Error = "the worker stopped during the SMTP transaction; not resent, to avoid a duplicate";
            timeline.Add(m.LeadId, ActivityKind.EmailFailed, $"Email \"{m.Subject}\": delivery outcome unknown (worker stopped while sending); not resent",
                new { status = "unknown", reason = m.Error }, m.Id, m.SequenceId, m.StepId);
            metrics.Email("unknown", KindTag(m.Kind));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return abandoned.Count;
    }

    private async Task<List<Guid>> ClaimAsync(int limit, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var now = clock.GetUtcNow();
        var until = now + Lease;
        var claimed = await scope.ServiceProvider.GetRequiredService<GlobalSendRate>().ClaimAsync(limit, n => db.Database.SqlQuery<Guid>($"""
            UPDATE nurture.message SET lease_owner = {_owner}, lease_until = {until}
            WHERE id IN (SELECT id FROM nurture.message
                         WHERE status = 'Scheduled' AND not_before <= {now} AND (lease_until IS NULL OR lease_until < {now})
                         ORDER BY not_before LIMIT {n} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct), ct);
        metrics.Claimed("messages", claimed.Count);
        return claimed;
    }

    private async Task SendOneAsync(Guid id, CancellationToken ct)
    {
        using var span = NurtureMetrics.Tracing.StartActivity("email.send");
        span?.SetTag("nurture.message_id", id);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var now = clock.GetUtcNow();
        // Long enough for the slowest SMTP transaction (RFC 5321 allows 10 minutes for the final reply).
        var sendingUntil = now + Lease + TimeSpan.FromSeconds(smtp.Value.TimeoutSeconds * 2);
        // The committed 'sending' mark is what makes a crash during SMTP decidable later.
        var marked = await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.message SET status = 'Sending', attempts = attempts + 1, lease_until = {sendingUntil}
            WHERE id = {id} AND status = 'Scheduled' AND lease_owner = {_owner}
            """, ct);
        if (marked == 0) return;
        var message = await db.Messages.SingleAsync(m => m.Id == id, ct);
        if (message.Kind == MessageKind.Marketing && await db.Leads.Where(l => l.Id == message.LeadId).Select(l => l.Status).SingleAsync(ct) is var status and not LeadStatus.Subscribed)
        {
            await SuppressAsync(scope.ServiceProvider, message, $"lead is {status.ToString().ToLowerInvariant()}", ct);
            metrics.Email("suppressed", KindTag(message.Kind));
            return;
        }
        if (message.Kind == MessageKind.Marketing && await scope.ServiceProvider.GetRequiredService<SuppressionList>().ReasonAsync(message.ToAddress, ct) is { } suppressed)
        {
            await SuppressAsync(scope.ServiceProvider, message, suppressed, ct);
            return;
        }
        span?.SetTag("nurture.lead_id", message.LeadId);
        var started = clock.GetTimestamp();
        var result = await transport.SendAsync(builder.Build(message), ct);
        metrics.SmtpDuration(clock.GetElapsedTime(started), result.Outcome.ToString().ToLowerInvariant());
        await RecordAsync(scope.ServiceProvider, message, result, CancellationToken.None);
    }

    private async Task RecordAsync(IServiceProvider services, Message message, DeliveryResult result, CancellationToken ct)
    {
        var db = services.GetRequiredService<NurtureDbContext>();
        var work = services.GetRequiredService<UnitOfWork>();
        var timeline = services.GetRequiredService<TimelineWriter>();
        var engagement = services.GetRequiredService<EngagementRecorder>();
        var now = clock.GetUtcNow();
        await work.RunAsync(async c =>
        {
            message.SmtpReply = Truncate(result.Reply);
            message.LeaseOwner = null;
            message.LeaseUntil = null;
            switch (result.Outcome)
            {
                case DeliveryOutcome.Sent:
                    message.Status = MessageStatus.Sent;
                    message.SentAt = now;
                    LogSent(logger, message.Id, message.LeadId);
                    if (message.Kind == MessageKind.Marketing)
                    {
                        var lead = await db.Leads.SingleAsync(l => l.Id == message.LeadId, c);
                        await engagement.RecordAsync(lead, ActivityKind.EmailSent, $"Email \"{message.Subject}\" sent",
                            new { subject = message.Subject, to = message.ToAddress, messageId = message.MessageIdHeader, reply = message.SmtpReply },
                            message.Id, message.SequenceId, message.StepId, c);
                    }
                    break;
                case DeliveryOutcome.RetryLater when message.Attempts < 8:
                    message.Status = MessageStatus.Scheduled;
                    message.NotBefore = now + Backoff(message.Attempts);
                    work.WorkDueAt(message.NotBefore);
                    LogRetry(logger, message.Id, message.LeadId, message.Attempts, message.NotBefore, ReplyCode(result.Reply));
                    break;
                default:
                    message.Status = result.Outcome == DeliveryOutcome.Unknown ? MessageStatus.Unknown : MessageStatus.Failed;
                    message.Error = Truncate(result.Reply);
                    timeline.Add(message.LeadId, ActivityKind.EmailFailed, $"Email \"{message.Subject}\" failed: {message.Error}",
                        new { status = message.Status.ToString().ToLowerInvariant(), reason = message.Error }, message.Id, message.SequenceId, message.StepId);
                    if (result.Outcome == DeliveryOutcome.Rejected && message.Kind == MessageKind.Marketing)
                    {
                        // A 5xx at send time is a bounce like any other, classified by its enhanced code and words.
                        var verdict = BounceClassifier.Classify(null, result.Reply);
                        var lead = await db.Leads.SingleAsync(l => l.Id == message.LeadId, c);
                        await services.GetRequiredService<DeliveryFeedback>().BounceAsync(lead, message.ToAddress, message, verdict.Hard,
                            verdict.Status, verdict.Reason, verdict.Category, "smtp", c);
                    }
                    break;
            }
            await db.SaveChangesAsync(c);
        }, ct);
        metrics.Email(message.Status == MessageStatus.Scheduled ? "retry" : message.Status.ToString().ToLowerInvariant(), KindTag(message.Kind));
    }

    /// <summary>The lead left (unsubscribed, bounced, complained) after the email was queued: it is not sent.</summary>
    private static async Task SuppressAsync(IServiceProvider services, Message message, string reason, CancellationToken ct)
    {
        var db = services.GetRequiredService<NurtureDbContext>();
        services.GetRequiredService<TimelineWriter>().Add(message.LeadId, ActivityKind.EmailSuppressed, $"Email \"{message.Subject}\" not sent: {reason}",
            new { step = message.StepId, reason }, message.Id, message.SequenceId, message.StepId);
        message.Status = MessageStatus.Suppressed;
        message.Error = reason;
        message.LeaseOwner = null;
        message.LeaseUntil = null;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>30 s, 1 min, 2 min, ... capped at 1 h.</summary>
    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));

    private static string KindTag(MessageKind kind) => kind == MessageKind.Marketing ? "marketing" : "internal";

    /// <summary>The reply's status code only: the rest of an SMTP reply often repeats the recipient's address.</summary>
    private static string ReplyCode(string? reply) => reply?.Split(' ', 2)[0] ?? "";

    private static string? Truncate(string? s) => s is { Length: > 1000 } ? s[..1000] : s;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: released {Count} claimed message(s) to other workers")]
    static partial void LogReleased(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} to lead {LeadId} sent")]
    static partial void LogSent(ILogger logger, Guid messageId, Guid leadId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} to lead {LeadId} not sent (attempt {Attempt}, reply {ReplyCode}); retrying at {NotBefore:u}")]
    static partial void LogRetry(ILogger logger, Guid messageId, Guid leadId, int attempt, DateTimeOffset notBefore, string replyCode);
}
