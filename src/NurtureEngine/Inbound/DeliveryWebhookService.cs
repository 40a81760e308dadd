using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;

namespace NurtureEngine.Inbound;

public sealed record DeliveryWebhookResult(int Accepted, int Duplicates, IReadOnlyList<Events.RejectedEvent> Rejected);

/// <summary>
/// <c>POST /api/v1/webhooks/delivery</c>: bounces, complaints and deliveries reported by a relay over
/// HTTP, with the same outcomes as the mailbox. Each event is its own transaction, keyed like an
/// inbound email (a relay that retries a call changes nothing the second time).
/// </summary>
public sealed class DeliveryWebhookService(NurtureDbContext db, UnitOfWork work, DeliveryFeedback feedback, TimeProvider clock)
{
    public const int MaxBatch = 1000;

    private sealed record Report(string Type, string? Email, string? MessageId, bool? Hard, string? Status, string? Reason, DateTimeOffset? OccurredAt, string Key);

    public async Task<DeliveryWebhookResult> IngestAsync(JsonObject body, CancellationToken ct)
    {
        if (body["events"] is not JsonArray events) throw new ValidationException("events", "is required: a list of delivery events");
        if (events.Count > MaxBatch) throw new ValidationException("events", $"at most {MaxBatch} events a call");
        int accepted = 0, duplicates = 0;
        var rejected = new List<Events.RejectedEvent>();
        for (var i = 0; i < events.Count; i++)
        {
            var (report, error) = Parse(events[i]);
            if (report is null) { rejected.Add(new Events.RejectedEvent(i, error!)); continue; }
            if (await StoreAsync(report, ct)) accepted++; else duplicates++;
        }
        return new DeliveryWebhookResult(accepted, duplicates, rejected);
    }

    private Task<bool> StoreAsync(Report r, CancellationToken ct) => work.RunAsync(async c =>
    {
        var message = await FindMessageAsync(r.MessageId, c);
        var email = r.Email ?? message?.ToAddress;
        var normalized = email is null ? null : Lead.Normalize(email);
        var lead = message is not null ? await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == message.LeadId, c)
            : normalized is null ? null : await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.EmailNormalized == normalized, c);
        if (message is { Kind: MessageKind.Internal }) lead = null;
        var verdict = r.Type == "bounce" ? BounceClassifier.Classify(r.Status, r.Reason) : null;
        var hard = r.Hard ?? verdict?.Hard ?? false;
        var status = r.Status ?? verdict?.Status;
        var reason = r.Reason ?? verdict?.Reason ?? (r.Type == "bounce" ? "reported by the relay" : null);
        var outcome = r.Type switch { "bounce" => hard ? "hard_bounce" : "soft_bounce", "complaint" => "complaint", _ => "delivered" };
        var inserted = await db.Database.SqlQuery<long>($"""
            INSERT INTO nurture.inbound_message (key, outcome, status, reason, from_address, subject, lead_id, message_id, received_at)
            VALUES ({r.Key}, {outcome}, {status}, {reason}, {"webhook"}, {null as string}, {lead?.Id}, {message?.Id}, {r.OccurredAt ?? clock.GetUtcNow()})
            ON CONFLICT (key) DO NOTHING RETURNING id AS "Value"
            """).ToListAsync(c);
        if (inserted.Count == 0) return false;
        switch (r.Type)
        {
            case "bounce":
                await feedback.BounceAsync(lead, email, message, hard, status, reason!, verdict?.Category, "webhook", c);
                break;
            case "complaint":
                await feedback.ComplaintAsync(lead, email, message, r.Reason ?? "complaint reported by the relay", "webhook", c);
                break;
            case "delivered" when lead is not null:
                await feedback.DeliveredAsync(lead, message, status, "webhook");
                break;
        }
        return true;
    }, ct);

    /// <summary>Our Message-ID header (with or without angle brackets) or the message's id.</summary>
    private async Task<Message?> FindMessageAsync(string? messageId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(messageId)) return null;
        var id = messageId.Trim().Trim('<', '>');
        var at = id.IndexOf('@');
        var local = at > 0 ? id[..at] : id;
        if (!Guid.TryParse(local, out var guid)) return null;
        return await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == guid, ct);
    }

    private static (Report?, string?) Parse(JsonNode? node)
    {
        if (node is not JsonObject o) return (null, "each event must be a JSON object");
        try
        {
            var type = o["type"]?.GetValue<string>()?.Trim().ToLowerInvariant();
            if (type is not ("bounce" or "complaint" or "delivered")) return (null, "type: must be bounce, complaint or delivered");
            var email = o["email"]?.GetValue<string>()?.Trim();
            var messageId = o["messageId"]?.GetValue<string>();
            if (email is null && messageId is null) return (null, "email or messageId: one is required");
            if (email is not null && !EmailAddress.IsValid(email)) return (null, "email: not a valid email address");
            bool? hard = o["bounceType"]?.GetValue<string>()?.Trim().ToLowerInvariant() switch
            {
                null => null, "hard" => true, "soft" => false,
                _ => throw new FormatException("bounceType"),
            };
            var status = o["status"]?.GetValue<string>()?.Trim();
            var reason = (o["reason"] ?? o["diagnostic"])?.GetValue<string>()?.Trim();
            DateTimeOffset? at = null;
            if (o["occurredAt"] is { } occurred)
            {
                if (!DateTimeOffset.TryParse(occurred.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    return (null, "occurredAt: must be an ISO 8601 date-time");
                at = parsed.ToUniversalTime();
            }
            var key = "webhook|" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(o.ToJsonString())));
            return (new Report(type, email, messageId, hard, status, reason is { Length: > 1000 } ? reason[..1000] : reason, at, key), null);
        }
        catch (FormatException) { return (null, "bounceType: must be hard or soft"); }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            return (null, "a field has the wrong type: type, email, messageId, bounceType, status, reason and occurredAt are strings");
        }
    }
}
