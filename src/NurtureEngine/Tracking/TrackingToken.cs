using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace NurtureEngine.Tracking;

public enum TrackingKind : byte
{
    Open = (byte)'o', Click = (byte)'c', Unsubscribe = (byte)'u',
    /// <summary>The VERP Return-Path of a sent message: bounces come back to it.</summary>
    Bounce = (byte)'b',
    /// <summary>The Reply-To of a sent message: replies come back to it.</summary>
    Reply = (byte)'r',
}

/// <summary>
/// A short, HMAC-signed reference to a stored message (and link index). It carries no URL: the
/// click target is read from the message, so no request can redirect anywhere it chooses.
/// Layout: message id (16) | kind (1) | link index (2) | HMAC-SHA256 truncated to 12 bytes.
/// </summary>
public sealed record TrackingToken(Guid MessageId, TrackingKind Kind, int LinkIndex = 0)
{
    private const int PayloadLength = 19, MacLength = 12;

    public string Sign(byte[] key)
    {
        Span<byte> buffer = stackalloc byte[PayloadLength + MacLength];
        WritePayload(buffer[..PayloadLength]);
        Mac(key, buffer[..PayloadLength]).AsSpan(0, MacLength).CopyTo(buffer[PayloadLength..]);
        return Base64Url.EncodeToString(buffer);
    }

    public static TrackingToken? Verify(string? token, byte[] key, TrackingKind expected) =>
        Verify(token, key) is { } parsed && parsed.Kind == expected ? parsed : null;

    /// <summary>Any kind of token this installation signed; null when malformed or not ours.</summary>
    public static TrackingToken? Verify(string? token, byte[] key)
    {
        if (token is null || token.Length is 0 or > 64) return null;
        Span<byte> buffer = stackalloc byte[64];
        int written;
        try
        {
            if (!Base64Url.TryDecodeFromChars(token, buffer, out written) || written != PayloadLength + MacLength) return null;
        }
        catch (FormatException) { return null; }
        var payload = buffer[..PayloadLength];
        var mac = Mac(key, payload);
        if (!CryptographicOperations.FixedTimeEquals(mac.AsSpan(0, MacLength), buffer.Slice(PayloadLength, MacLength))) return null;
        if (!Enum.IsDefined((TrackingKind)payload[16])) return null;
        return new TrackingToken(new Guid(payload[..16]), (TrackingKind)payload[16], BinaryPrimitives.ReadUInt16BigEndian(payload[17..]));
    }

    private void WritePayload(Span<byte> payload)
    {
        MessageId.TryWriteBytes(payload[..16]);
        payload[16] = (byte)Kind;
        BinaryPrimitives.WriteUInt16BigEndian(payload[17..], checked((ushort)LinkIndex));
    }

    private static byte[] Mac(byte[] key, ReadOnlySpan<byte> payload) => HMACSHA256.HashData(key, payload);
}
