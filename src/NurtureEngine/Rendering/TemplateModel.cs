using System.Text.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Leads;
using NurtureEngine.Settings;
using Scriban.Runtime;

namespace NurtureEngine.Rendering;

/// <summary>
/// What a template can see (API.md "Template model"), as plain Scriban objects with snake_case
/// names. No .NET object reaches the template: only strings, numbers, booleans, dates and lists.
/// </summary>
public static class TemplateModel
{
    public sealed record Links(string UnsubscribeUrl, string PreferencesUrl);

    public static ScriptObject For(Lead lead, string? stageKey, string? pipelineKey, SenderOptions sender, Links links, DateTimeOffset now)
    {
        var model = new ScriptObject();
        model.Import("raw", new Func<object?, RawHtml>(v => v as RawHtml ?? new RawHtml(v?.ToString() ?? "")));
        model["lead"] = LeadObject(lead, stageKey, pipelineKey);
        model["owner"] = new ScriptObject { ["email"] = lead.Owner ?? "", ["name"] = OwnerName(lead.Owner) };
        model["unsubscribe_url"] = links.UnsubscribeUrl;
        model["preferences_url"] = links.PreferencesUrl;
        model["company"] = new ScriptObject { ["name"] = sender.Name, ["postal_address"] = sender.PostalAddress, ["email"] = sender.Email };
        model["now"] = now.UtcDateTime;
        return model;
    }

    private static ScriptObject LeadObject(Lead lead, string? stageKey, string? pipelineKey) => new()
    {
        ["id"] = lead.Id.ToString(),
        ["email"] = lead.Email,
        ["first_name"] = lead.FirstName ?? "",
        ["last_name"] = lead.LastName ?? "",
        ["name"] = lead.DisplayName,
        ["company"] = lead.Company ?? "",
        ["job_title"] = lead.JobTitle ?? "",
        ["phone"] = lead.Phone ?? "",
        ["time_zone"] = lead.TimeZone ?? "",
        ["source"] = lead.Source ?? "",
        ["deal_value"] = lead.DealValue,
        ["owner"] = lead.Owner ?? "",
        ["tags"] = new ScriptArray(lead.Tags),
        ["attributes"] = ToScript(lead.Attributes),
        ["pipeline"] = pipelineKey ?? "",
        ["stage"] = stageKey ?? "",
        ["score"] = lead.Score,
        ["status"] = lead.Status.ToString().ToLowerInvariant(),
    };

    private static string OwnerName(string? owner)
    {
        if (string.IsNullOrEmpty(owner)) return "";
        var local = owner.Split('@')[0].Replace('.', ' ').Replace('_', ' ');
        return System.Globalization.CultureInfo.InvariantCulture.TextInfo.ToTitleCase(local);
    }

    private static object? ToScript(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.Aggregate(new ScriptObject(), (so, kv) => { so[kv.Key] = ToScript(kv.Value); return so; }),
        JsonArray a => new ScriptArray(a.Select(ToScript)),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : v.GetValue<double>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        },
        _ => null,
    };
}
