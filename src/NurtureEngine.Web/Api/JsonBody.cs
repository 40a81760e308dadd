using System.Text.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Common;

namespace NurtureEngine.Web.Api;

/// <summary>Malformed JSON is a 400; well-formed JSON of the wrong shape is a 422 naming the field.</summary>
public sealed class MalformedJsonException(string message) : Exception(message);

public static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            throw new MalformedJsonException($"The body is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject) throw new MalformedJsonException("The body must be a JSON object.");
        try
        {
            return node.Deserialize<T>(Json.Options) ?? throw new MalformedJsonException("The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) ? "body" : e.Path.TrimStart('$', '.');
            throw new ValidationException(field, "has the wrong type");
        }
    }
}
