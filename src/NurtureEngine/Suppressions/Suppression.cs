namespace NurtureEngine.Suppressions;

/// <summary>
/// An address that is never mailed, whatever its lead says: kept by the SHA-256 of the normalised
/// address only, so it survives the lead's erasure without keeping the address itself.
/// </summary>
public sealed class Suppression
{
    public long Id { get; set; }
    /// <summary>Lower-case hex SHA-256 of the trimmed, lower-cased address.</summary>
    public required string AddressHash { get; set; }
    /// <summary><c>hard_bounce</c>, <c>soft_bounces</c>, <c>complaint</c>, <c>manual</c>, <c>erasure</c>.</summary>
    public required string Source { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
