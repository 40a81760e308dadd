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

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
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
        buffer.Position = 0;
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(buffer, cancellationToken: ct);
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
