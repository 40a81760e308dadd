using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;

namespace NurtureEngine.Automation;

/// <summary>
/// Evaluates the condition language (branch <c>if</c>, <c>exitWhen</c>) against the lead's
/// current state and history. Engagement conditions look only at this enrollment's emails.
/// </summary>
public sealed class ConditionEvaluator(NurtureDbContext db, TimeProvider clock)
{
    public async Task<bool> EvaluateAsync(Condition c, Lead lead, Enrollment? enrollment, CancellationToken ct)
    {
        switch (c.Type)
        {
            case ConditionType.Opened: return await EngagedAsync(ActivityKind.EmailOpened, c, lead, enrollment, ct);
            case ConditionType.Clicked: return await EngagedAsync(ActivityKind.EmailClicked, c, lead, enrollment, ct);
            case ConditionType.Replied: return await EngagedAsync(ActivityKind.EmailReplied, c, lead, enrollment, ct);
            case ConditionType.Event:
            {
                var since = Since(c, enrollment);
                var events = db.Activities.Where(a => a.LeadId == lead.Id && a.EventType == c.Event && a.At >= since);
                if (c.Where is not { Count: > 0 } && (c.Count ?? 1) <= 1) return await events.AnyAsync(ct);
                return (await MatchingTimesAsync(events, c, ct)).Count >= (c.Count ?? 1);
            }
            case ConditionType.StageEntered:
            {
                var since = enrollment?.EnrolledAt ?? DateTimeOffset.MinValue;
                return await db.StageChanges.AnyAsync(s => s.LeadId == lead.Id && s.At >= since
                    && db.Stages.Any(st => st.Id == s.ToStageId && st.Key == c.Stage), ct);
            }
            case ConditionType.InStage:
                return await db.Stages.AnyAsync(s => s.Id == lead.StageId && s.Key == c.Stage, ct);
            case ConditionType.ScoreAtLeast: return lead.Score >= (c.Score ?? 0);
            case ConditionType.HasTag: return c.Tag is not null && lead.Tags.Contains(c.Tag);
            case ConditionType.Attribute: return AttributeMatches(c, lead);
            case ConditionType.InSegment:
                return await db.SegmentMembers.AnyAsync(m => m.LeadId == lead.Id && db.Segments.Any(s => s.Id == m.SegmentId && s.Key == c.Segment), ct);
            case ConditionType.All:
                foreach (var inner in c.Of ?? []) if (!await EvaluateAsync(inner, lead, enrollment, ct)) return false;
                return true;
            case ConditionType.Any:
                foreach (var inner in c.Of ?? []) if (await EvaluateAsync(inner, lead, enrollment, ct)) return true;
                return false;
            case ConditionType.Not: return c.Inner is not null && !await EvaluateAsync(c.Inner, lead, enrollment, ct);
            default: return false;
        }
    }

    /// <summary>
    /// The (event, window) of every <c>event … within</c> in the condition: where its answer can change with the
    /// clock alone. None: only a change to the lead can change it.
    /// </summary>
    public static IEnumerable<(string Event, TimeSpan Within)> TimeWindows(Condition c) => c.Type switch
    {
        ConditionType.Event when c.Event is not null && Iso8601Duration.TryParse(c.Within) is { } w => [(c.Event, w)],
        ConditionType.All or ConditionType.Any => (c.Of ?? []).SelectMany(TimeWindows),
        ConditionType.Not when c.Inner is not null => TimeWindows(c.Inner),
        _ => [],
    };

    /// <summary>
    /// The next moment the answer may change with nothing happening to the lead: the earliest time a
    /// counted event falls out of its <c>within</c> window (a second past it). Null: only a change can change it.
    /// </summary>
    public async Task<DateTimeOffset?> NextChangeAsync(Condition c, Lead lead, CancellationToken ct)
    {
        switch (c.Type)
        {
            case ConditionType.Event when Iso8601Duration.TryParse(c.Within) is { } within:
            {
                var since = clock.GetUtcNow() - within;
                var times = await MatchingTimesAsync(db.Activities.Where(a => a.LeadId == lead.Id && a.EventType == c.Event && a.At >= since), c, ct);
                // It holds while `count` of them are in the window: it stops holding when the count-th newest leaves it.
                var count = c.Count ?? 1;
                return times.Count >= count ? times[count - 1] + within + TimeSpan.FromSeconds(1)
                    : times.Count > 0 && count == 1 ? times[0] + within + TimeSpan.FromSeconds(1) : null;
            }
            case ConditionType.All or ConditionType.Any:
            {
                DateTimeOffset? next = null;
                foreach (var inner in c.Of ?? [])
                    if (await NextChangeAsync(inner, lead, ct) is { } at && (next is null || at < next)) next = at;
                return next;
            }
            case ConditionType.Not when c.Inner is not null: return await NextChangeAsync(c.Inner, lead, ct);
            default: return null;
        }
    }

    /// <summary>When each event matching the condition's <c>where</c> happened, newest first.</summary>
    private static async Task<List<DateTimeOffset>> MatchingTimesAsync(IQueryable<Timeline.Activity> events, Condition c, CancellationToken ct)
    {
        var rows = await events.OrderByDescending(a => a.At).Select(a => new { a.At, a.DataJson }).ToListAsync(ct);
        return rows.Where(r => PropertyFilter.Matches(c.Where, r.DataJson)).Select(r => r.At).ToList();
    }

    private DateTimeOffset Since(Condition c, Enrollment? enrollment) =>
        Iso8601Duration.TryParse(c.Within) is { } within ? clock.GetUtcNow() - within
        : enrollment?.EnrolledAt ?? DateTimeOffset.MinValue;

    /// <summary>Opened/clicked/replied: an engagement with this enrollment's email (of one step, or any) or a broadcast's,
    /// within the given time of that email's sending.</summary>
    private async Task<bool> EngagedAsync(string kind, Condition c, Lead lead, Enrollment? enrollment, CancellationToken ct)
    {
        var messages = db.Messages.Where(m => m.LeadId == lead.Id && m.SentAt != null);
        if (c.Broadcast is not null) messages = messages.Where(m => db.Broadcasts.Any(b => b.Id == m.BroadcastId && b.Key == c.Broadcast));
        else if (enrollment is not null) messages = messages.Where(m => m.EnrollmentId == enrollment.Id);
        if (c.Step is not null) messages = messages.Where(m => m.StepId == c.Step);
        // In a loop, a named step's email is this round's (the latest round's until this round sends it).
        if (enrollment is not null && c.Step is not null && await messages.MaxAsync(m => (int?)m.Pass, ct) is { } round)
            messages = messages.Where(m => m.Pass == round);
        var within = Iso8601Duration.TryParse(c.Within);
        var sent = await messages.Select(m => new { m.Id, m.SentAt }).ToListAsync(ct);
        foreach (var m in sent)
        {
            var limit = within is { } w ? m.SentAt!.Value + w : DateTimeOffset.MaxValue;
            if (await db.Activities.AnyAsync(a => a.MessageId == m.Id && a.Kind == kind && a.At <= limit, ct)) return true;
        }
        return false;
    }

    private static bool AttributeMatches(Condition c, Lead lead)
    {
        if (c.Key is null) return false;
        var value = LeadField(lead, c.Key);
        if (c.EqualTo is { } eq) return Same(value, eq);
        if (c.In is { } list) return list.Any(v => Same(value, v));
        if (c.Gte is { } gte) return Compare(value, gte) is >= 0;
        if (c.Lte is { } lte) return Compare(value, lte) is <= 0;
        return value is not null;
    }

    /// <summary>A lead field by its API name, else an attribute.</summary>
    public static JsonNode? LeadField(Lead lead, string key) => key switch
    {
        "email" => lead.Email,
        "firstName" or "first_name" => lead.FirstName,
        "lastName" or "last_name" => lead.LastName,
        "company" => lead.Company,
        "jobTitle" or "job_title" => lead.JobTitle,
        "timeZone" or "time_zone" => lead.TimeZone,
        "source" => lead.Source,
        "owner" => lead.Owner,
        "score" => lead.Score,
        "dealValue" or "deal_value" => lead.DealValue,
        "status" => lead.Status.ToString().ToLowerInvariant(),
        _ => lead.Attributes[key]?.DeepClone(),
    };

    private static bool Same(JsonNode? value, JsonElement expected) => value is not null &&
        (expected.ValueKind == JsonValueKind.String
            ? string.Equals(value.ToString(), expected.GetString(), StringComparison.OrdinalIgnoreCase)
            : Compare(value, expected) == 0 || JsonNode.DeepEquals(value, JsonNode.Parse(expected.GetRawText())));

    private static int? Compare(JsonNode? value, JsonElement bound)
    {
        if (value is null) return null;
        if (bound.ValueKind == JsonValueKind.Number && decimal.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return d.CompareTo(bound.GetDecimal());
        if (bound.ValueKind == JsonValueKind.String) return string.CompareOrdinal(value.ToString(), bound.GetString());
        return null;
    }
}
