namespace NurtureEngine.Templates;

/// <summary>
/// An image uploaded for use in emails, kept in the database (PostgreSQL is the only state) and
/// served publicly at <c>/i/{id}</c>. Immutable: the same bytes uploaded twice are one image (unique hash).
/// </summary>
public sealed class EmailImage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string ContentType { get; set; }
    public required byte[] Content { get; set; }
    /// <summary>SHA-256 of <see cref="Content"/>, hex: the upload's idempotency key.</summary>
    public required string Sha256 { get; set; }
    public required string FileName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
