using System.Text.Json;
using System.Text.Json.Nodes;

namespace NurtureEngine.Web.Admin;

/// <summary>Edits on condition JSON as the builder holds it (a condition, or a list of them), leaving the rest as written.</summary>
public static class ConditionJson
{
    /// <summary>Every <c>"step"</c> of a condition (opened/clicked/replied of that step's email) through <paramref name="follow"/>; JSON that does not parse is left for the validator to name.</summary>
    public static string? RenameSteps(string? json, Func<string?, string?> follow)
    {
        if (string.IsNullOrWhiteSpace(json)) return json;
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException) { return json; }
        var changed = false;
        Walk(root);
        return changed ? root!.ToJsonString(SequenceForm.Indented) : json;

        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonArray a: foreach (var item in a) Walk(item); break;
                case JsonObject o:
                    if (o["step"] is JsonValue v && v.TryGetValue<string>(out var step) && follow(step) is { } to && to != step) { o["step"] = to; changed = true; }
                    Walk(o["of"]);
                    Walk(o["condition"]);
                    break;
            }
        }
    }
}
