using System.Text.Json.Nodes;
using NurtureEngine.Pipelines;

namespace NurtureEngine.Leads;

public sealed class Lead
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Email { get; set; }
    /// <summary>The unique key: <see cref="EmailAddress.Key"/> (lower-cased, the domain in A-labels).</summary>
    public required string EmailNormalized { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Company { get; set; }
    /// <summary>The company whose domain the email is at (never a free-mail domain); see Sales/CompanyService.</summary>
    public Guid? CompanyId { get; set; }
    public Sales.Company? LinkedCompany { get; set; }
    public string? JobTitle { get; set; }
    public string? Phone { get; set; }
    public string? TimeZone { get; set; }
    public string? Source { get; set; }
    /// <summary>The source of the lead's latest touch (an upsert naming a source, a form submitted): last-touch attribution.</summary>
    public string? LastTouchSource { get; set; }
    public decimal? DealValue { get; set; }
    public string? Owner { get; set; }
    public List<string> Tags { get; set; } = [];
    public string AttributesJson { get; set; } = "{}";
    public long PipelineId { get; set; }
    public Pipeline Pipeline { get; set; } = null!;
    public long StageId { get; set; }
    public Stage Stage { get; set; } = null!;
    public DateTimeOffset StageEnteredAt { get; set; }
    public int Score { get; set; }
    public LeadStatus Status { get; set; } = LeadStatus.Subscribed;
    public string? StatusReason { get; set; }
    public int SoftBounces { get; set; }
    /// <summary>When score decay last applied to this lead (null: never; counted from creation).</summary>
    public DateTimeOffset? ScoreDecayedAt { get; set; }
    /// <summary>Set by an out-of-office reply that says when its writer is back: the start of the day after, in the lead's
    /// time zone. Sequence email waits until then (transactional steps excepted).</summary>
    public DateTimeOffset? AwayUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>PostgreSQL's <c>xmin</c>: the concurrency token that refuses a write based on a stale read.</summary>
    public uint Version { get; set; }

    public JsonObject Attributes
    {
        get => JsonNode.Parse(AttributesJson) as JsonObject ?? new JsonObject();
        set => AttributesJson = value.ToJsonString();
    }

    public bool CanReceiveMarketing => Status == LeadStatus.Subscribed;

    public string DisplayName => string.Join(' ', new[] { FirstName, LastName }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } n ? n : Email;

    public static string Normalize(string email) => EmailAddress.Key(email);
}

/// <summary><c>Pending</c>: a double opt-in form was submitted and the confirmation link not yet opened (no email but the confirmation).</summary>
public enum LeadStatus { Subscribed, Unsubscribed, Bounced, Complained, Pending }
