using Npgsql;
using NpgsqlTypes;

namespace NurtureEngine.Data;

/// <summary>Binary COPY helpers: a null is written as SQL NULL, not as a value.</summary>
public static class BinaryCopy
{
    public static Task WriteNullableAsync<T>(this NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, ct) : copy.WriteNullAsync(ct);

    public static Task WriteNullableAsync(this NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is not null ? copy.WriteAsync(value, type, ct) : copy.WriteNullAsync(ct);
}
