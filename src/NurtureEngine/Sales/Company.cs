using System.Text.Json.Nodes;

namespace NurtureEngine.Sales;

/// <summary>An organisation, known by its web domain; leads whose email is at that domain belong to it.</summary>
public sealed class Company
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    /// <summary>Lower-case, no scheme, no "www.": the key of the upsert and of the lead link.</summary>
    public required string Domain { get; set; }
    public string AttributesJson { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public JsonObject Attributes
    {
        get => JsonNode.Parse(AttributesJson) as JsonObject ?? new JsonObject();
        set => AttributesJson = value.ToJsonString();
    }
}

/// <summary>What a lead's JSON shows of its company when linked: <c>{ id, name, domain }</c>.</summary>
public sealed record CompanyRef(Guid Id, string Name, string Domain);
