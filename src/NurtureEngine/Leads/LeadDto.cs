using System.Text.Json.Nodes;

namespace NurtureEngine.Leads;

/// <summary>Lead JSON as API.md defines it.</summary>
public sealed record LeadDto(
    Guid Id, string Email, string? FirstName, string? LastName, object? Company, string? JobTitle, string? Phone,
    string? TimeZone, string? Source, decimal? DealValue, string? Owner, IReadOnlyList<string> Tags, JsonObject Attributes,
    string Pipeline, string Stage, int Score, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary><c>company</c> is the linked company <c>{ id, name, domain }</c> when there is one, else the company name given.</summary>
    public static LeadDto From(Lead l, string pipeline, string stage, Sales.CompanyRef? company = null) => new(
        l.Id, l.Email, l.FirstName, l.LastName, (object?)company ?? l.Company, l.JobTitle, l.Phone, l.TimeZone, l.Source, l.DealValue, l.Owner,
        l.Tags, l.Attributes, pipeline, stage, l.Score, l.Status.ToString().ToLowerInvariant(), l.CreatedAt, l.UpdatedAt)
    { CompanyName = l.Company };

    /// <summary>The company name as given (the <c>company</c> field of the input), whether or not the lead is linked.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string? CompanyName { get; init; }
}

/// <summary>A timeline row; <c>messageId</c> (an extension) names the email it is about, viewable as sent.</summary>
public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Summary, JsonNode? Data, Guid? MessageId = null);

public sealed record LeadPage(IReadOnlyList<LeadDto> Items, string? NextCursor);

public sealed record LeadQuery(string? Stage = null, string? Pipeline = null, int? MinScore = null, string? Owner = null,
    string? Tag = null, string? Status = null, string? Q = null, string? Email = null, int Limit = 50, string? Cursor = null, int? MaxScore = null,
    string? Sort = null);
