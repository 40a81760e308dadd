namespace NurtureEngine.Reports;

/// <summary>The verdict of comparing a variant's rate with the first variant's.</summary>
/// <param name="PValue">Two-sided p-value; null while the sample is below the minimum.</param>
public sealed record Significance(double RateA, double RateB, double? Z, double? PValue, bool EnoughData)
{
    public const double Alpha = 0.05;
    public bool Significant => PValue is < Alpha;
    /// <summary>1 − p as a percentage: "96.2% confidence the rates differ".</summary>
    public double? ConfidencePercent => PValue is { } p ? Math.Round((1 - p) * 100, 1) : null;

    public string Verdict => !EnoughData ? "not significant yet (too few emails)"
        : Significant ? $"significant: {ConfidencePercent:0.0}% confidence (p = {PValue:0.0000})"
        : $"not significant (p = {PValue:0.0000})";
}

/// <summary>
/// Two-proportion z-test with a pooled standard error (the textbook test for A/B rates):
/// z = (p̂B − p̂A) / √(p̂(1 − p̂)(1/nA + 1/nB)), p̂ the pooled rate; p = 2·(1 − Φ(|z|)).
/// The normal approximation needs enough data, so under <see cref="MinimumPerVariant"/> emails a
/// variant, or fewer than 5 successes or failures in either, there is no verdict yet.
/// </summary>
public static class TwoProportionTest
{
    public const int MinimumPerVariant = 100;

    public static Significance Compare(int successesA, int trialsA, int successesB, int trialsB)
    {
        var rateA = trialsA == 0 ? 0 : (double)successesA / trialsA;
        var rateB = trialsB == 0 ? 0 : (double)successesB / trialsB;
        var enough = trialsA >= MinimumPerVariant && trialsB >= MinimumPerVariant
            && Math.Min(successesA, successesB) >= 5 && Math.Min(trialsA - successesA, trialsB - successesB) >= 5;
        if (!enough) return new Significance(rateA, rateB, null, null, false);
        var pooled = (double)(successesA + successesB) / (trialsA + trialsB);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / trialsA + 1.0 / trialsB));
        var z = se == 0 ? 0 : (rateB - rateA) / se;
        return new Significance(rateA, rateB, z, TwoSidedP(z), true);
    }

    /// <summary>2·(1 − Φ(|z|)) = erfc(|z|/√2).</summary>
    public static double TwoSidedP(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes' erfcc, fractional error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var t = 1.0 / (1.0 + 0.5 * Math.Abs(x));
        var r = t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
