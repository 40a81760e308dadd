using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Templates;

/// <summary>
/// Stores uploaded email images. The type is read from the file's first bytes (PNG, JPEG, GIF, WebP),
/// never from its name or the browser's Content-Type, and the size is limited; anything else is
/// refused with a clear error and nothing is stored.
/// </summary>
public sealed class EmailImageStore(NurtureDbContext db, TimeProvider clock)
{
    public const int MaxBytes = 2 * 1024 * 1024;

    public async Task<EmailImage> SaveAsync(string? fileName, Stream content, CancellationToken ct)
    {
        var bytes = await ReadLimitedAsync(content, ct);
        if (bytes.Length == 0) throw new ValidationException("file", "is empty");
        var type = ImageType.Sniff(bytes) ?? throw new ValidationException("file", "is not a PNG, JPEG, GIF or WebP image");
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (await db.EmailImages.AsNoTracking().FirstOrDefaultAsync(i => i.Sha256 == hash, ct) is { } known) return known;
        var name = Path.GetFileName(fileName ?? "").Trim();
        var image = new EmailImage { ContentType = type, Content = bytes, Sha256 = hash, FileName = name.Length is > 0 and <= 200 ? name : "image", CreatedAt = clock.GetUtcNow() };
        db.EmailImages.Add(image);
        try
        {
            await db.SaveChangesAsync(ct);
            return image;
        }
        catch (DbUpdateException)
        {
            // The same image uploaded twice at once: one row, both get it.
            db.ChangeTracker.Clear();
            var raced = await db.EmailImages.AsNoTracking().FirstOrDefaultAsync(i => i.Sha256 == hash, ct);
            if (raced is null) throw;
            return raced;
        }
    }

    public Task<EmailImage?> FindAsync(Guid id, CancellationToken ct) => db.EmailImages.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);

    public async Task<IReadOnlyList<EmailImage>> RecentAsync(int limit, CancellationToken ct) =>
        await db.EmailImages.AsNoTracking().OrderByDescending(i => i.CreatedAt).Take(limit)
            .Select(i => new EmailImage { Id = i.Id, ContentType = i.ContentType, Content = Array.Empty<byte>(), Sha256 = i.Sha256, FileName = i.FileName, CreatedAt = i.CreatedAt })
            .ToListAsync(ct);

    private static async Task<byte[]> ReadLimitedAsync(Stream content, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw new ValidationException("file", $"is larger than {MaxBytes / 1024 / 1024} MB");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

/// <summary>Image type by magic bytes.</summary>
public static class ImageType
{
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8)) return "image/gif";
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }
}
