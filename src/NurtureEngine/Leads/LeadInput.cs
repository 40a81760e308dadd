using System.Text.Json.Nodes;

namespace NurtureEngine.Leads;

/// <summary>The upsert body of <c>POST /api/v1/leads</c>; omitted (null) fields keep their value.</summary>
public sealed class LeadInput
{
    public string? Email { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Company { get; set; }
    public string? JobTitle { get; set; }
    public string? Phone { get; set; }
    public string? TimeZone { get; set; }
    public string? Source { get; set; }
    public decimal? DealValue { get; set; }
    public string? Owner { get; set; }
    public List<string>? Tags { get; set; }
    public JsonObject? Attributes { get; set; }
    public string? Pipeline { get; set; }
    public string? Stage { get; set; }
    public ConsentInput? Consent { get; set; }
}
