using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using NurtureEngine.Settings;

namespace NurtureEngine.Forms;

/// <summary>
/// HMAC-signed tokens of the public form pages, keyed by the installation's tracking key with a
/// purpose prefix (so no token of one kind is valid as another): the fill-time stamp put into every
/// rendered form, and the double opt-in confirmation link (a submission id and an expiry).
/// </summary>
public sealed class FormTokens(InstallationSecrets secrets)
{
    private const int MacLength = 16;

    /// <summary>When the form was rendered, signed for this form: the minimum fill time is measured from it.</summary>
    public string Stamp(string formKey, DateTimeOffset renderedAt)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(payload, renderedAt.ToUnixTimeMilliseconds());
        return Sign("stamp:" + formKey, payload);
    }

    public DateTimeOffset? ReadStamp(string formKey, string? token) =>
        Open("stamp:" + formKey, token, 8) is { } p ? DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(p)) : null;

    /// <summary>The confirmation link's token: which submission, valid until when.</summary>
    public string Confirmation(Guid submissionId, DateTimeOffset expires) => IdUntil("confirm", submissionId, expires);

    public (Guid SubmissionId, DateTimeOffset Expires)? ReadConfirmation(string? token) => ReadIdUntil("confirm", token);

    /// <summary>Added to a tracked email link's redirect: the site's nurture.js hands it back so the visitor becomes the lead.</summary>
    public string Visitor(Guid leadId, DateTimeOffset expires) => IdUntil("visitor", leadId, expires);

    public Guid? ReadVisitor(string? token, DateTimeOffset now) => ReadIdUntil("visitor", token) is { } t && t.Expires > now ? t.Id : null;

    private string IdUntil(string purpose, Guid id, DateTimeOffset expires)
    {
        var payload = new byte[24];
        id.TryWriteBytes(payload.AsSpan(0, 16));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(16), expires.ToUnixTimeSeconds());
        return Sign(purpose, payload);
    }

    private (Guid Id, DateTimeOffset Expires)? ReadIdUntil(string purpose, string? token) =>
        Open(purpose, token, 24) is { } p
            ? (new Guid(p.AsSpan(0, 16)), DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(p.AsSpan(16))))
            : null;

    private string Sign(string purpose, byte[] payload) => Base64Url.EncodeToString([.. payload, .. Mac(purpose, payload)]);

    private byte[]? Open(string purpose, string? token, int payloadLength)
    {
        if (token is null || token.Length > 100) return null;
        byte[] bytes;
        try { bytes = Base64Url.DecodeFromChars(token); }
        catch (FormatException) { return null; }
        if (bytes.Length != payloadLength + MacLength) return null;
        var payload = bytes[..payloadLength];
        return CryptographicOperations.FixedTimeEquals(Mac(purpose, payload), bytes.AsSpan(payloadLength)) ? payload : null;
    }

    private byte[] Mac(string purpose, byte[] payload) =>
        HMACSHA256.HashData(secrets.TrackingKey, (byte[])[.. Encoding.UTF8.GetBytes(purpose + "\n"), .. payload])[..MacLength];
}
