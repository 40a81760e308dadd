using System.Text.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Common;

namespace NurtureEngine.Web.Api;

/// <summary>Malformed JSON is a 400; well-formed JSON of the wrong shape is a 422 naming the field.</summary>
public sealed class MalformedJsonException(string message) : Exception(message);

/// <summary>A body over <see cref="JsonBody.MaxBytes"/>: 413, nothing read further, nothing changed.</summary>
public sealed class PayloadTooLargeException() : Exception($"The body is larger than {JsonBody.MaxBytes / (1024 * 1024)} MB.");

public static class JsonBody
{
    /// <summary>Largest accepted API body: a full batch of 1,000 events with properties fits easily.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = InputLimits.MaxJsonDepth, AllowDuplicateProperties = false };

    /// <summary>
    /// Reads the body: valid UTF-8, no duplicate keys, at most <see cref="InputLimits.MaxJsonDepth"/> deep, and
    /// (unless <paramref name="itemsCheckedBy"/> names a top-level list whose items the caller checks one
    /// by one) no text PostgreSQL cannot store, no null list items, no number out of range: 422 naming the field.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct, string? itemsCheckedBy = null) where T : class
    {
        if (request.ContentLength > MaxBytes) throw new PayloadTooLargeException();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw new PayloadTooLargeException();
            buffer.Write(chunk, 0, read);
        }
        if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            throw new MalformedJsonException("The body is not valid UTF-8.");
        buffer.Position = 0;
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(buffer, documentOptions: Strict, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            throw new MalformedJsonException($"The body is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject body) throw new MalformedJsonException("The body must be a JSON object.");
        Check(body, itemsCheckedBy);
        if (body is T asIs) return asIs; // no round trip: items the caller checks may hold text that cannot be re-serialized
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

    private static void Check(JsonObject body, string? itemsCheckedBy)
    {
        var items = itemsCheckedBy is null ? null : body[itemsCheckedBy];
        if (items is JsonArray list)
        {
            if (list.Count > InputLimits.MaxArrayItems) throw new ValidationException(itemsCheckedBy!, $"at most {InputLimits.MaxArrayItems} items");
            body.Remove(itemsCheckedBy!);
        }
        try
        {
            if (InputText.FindProblem(body) is { } problem) throw new ValidationException(problem.Field, problem.Error);
        }
        finally
        {
            if (items is JsonArray) body[itemsCheckedBy!] = items;
        }
    }
}
