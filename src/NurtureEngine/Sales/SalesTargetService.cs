using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;

namespace NurtureEngine.Sales;

public sealed record SalesTargetDto(string Owner, decimal Monthly, DateTimeOffset UpdatedAt);

/// <summary>Per-owner monthly targets: set (upsert by owner), listed, removed.</summary>
public sealed class SalesTargetService(NurtureDbContext db, TimeProvider clock)
{
    /// <summary>Average month length: a period's target is the monthly target × days ÷ this.</summary>
    public const double DaysPerMonth = 365.25 / 12;

    public async Task<SalesTargetDto> SetAsync(string owner, decimal? monthly, CancellationToken ct)
    {
        var errors = new Errors();
        if (!EmailAddress.IsValid(owner)) errors.Add("owner", "must be an email address");
        if (monthly is not (>= 0 and <= InputLimits.MaxDealValue)) errors.Add("monthly", $"a monthly amount between 0 and {InputLimits.MaxDealValue:N0} is required");
        errors.ThrowIfAny();
        var key = HandoffRule.Normal(owner);
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO nurture.sales_target (owner, monthly_amount, updated_at) VALUES ({key}, {monthly!.Value}, {now})
            ON CONFLICT (owner) DO UPDATE SET monthly_amount = excluded.monthly_amount, updated_at = excluded.updated_at
            """, ct);
        return new SalesTargetDto(key, monthly.Value, now);
    }

    public async Task<IReadOnlyList<SalesTargetDto>> ListAsync(CancellationToken ct) =>
        await db.SalesTargets.AsNoTracking().OrderBy(t => t.Owner).Select(t => new SalesTargetDto(t.Owner, t.MonthlyAmount, t.UpdatedAt)).ToListAsync(ct);

    public async Task RemoveAsync(string owner, CancellationToken ct)
    {
        var key = HandoffRule.Normal(owner);
        if (await db.SalesTargets.Where(t => t.Owner == key).ExecuteDeleteAsync(ct) == 0) throw new NotFoundException("Target");
    }

    /// <summary>The target for a period of <paramref name="days"/> days.</summary>
    public static decimal ForPeriod(decimal monthly, double days) => Math.Round(monthly * (decimal)(days / DaysPerMonth), 2);
}
