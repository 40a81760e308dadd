namespace NurtureEngine.Sales;

/// <summary>Whose turn it is in a round robin that has no row of its own (an <c>assign_owner</c> step: key <c>sequence:{id}:{step}</c>).</summary>
public sealed class RoundRobinTurn
{
    public required string Key { get; set; }
    public long Turn { get; set; }
}
