namespace NurtureEngine.Sales;

/// <summary>A rep's monthly won-amount goal; the sales report measures attainment against it, prorated to the period.</summary>
public sealed class SalesTarget
{
    public required string Owner { get; set; }
    public decimal MonthlyAmount { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
