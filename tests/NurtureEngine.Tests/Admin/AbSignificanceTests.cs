using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NurtureEngine.Mail;
using NurtureEngine.Reports;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Admin;

public sealed class TwoProportionTestTests
{
    [Theory]
    // The normal table's two-sided critical values: |z| 1.645 → 0.10, 1.960 → 0.05, 2.576 → 0.01.
    [InlineData(1.645, 0.1000)]
    [InlineData(1.960, 0.0500)]
    [InlineData(-2.576, 0.0100)]
    [InlineData(0.0, 1.0)]
    public void TwoSidedP_MatchesTheNormalTable(double z, double p) => Assert.Equal(p, TwoProportionTest.TwoSidedP(z), 4);

    [Fact]
    public void TwelveVersusFifteenPercent_OfAThousandEach_IsJustSignificant()
    {
        // Worked example: p̂A = 0.12, p̂B = 0.15, pooled 0.135, SE = √(0.135·0.865·(2/1000)) = 0.015282, z = 1.9630, p = 0.0496.
        var s = TwoProportionTest.Compare(120, 1000, 150, 1000);
        Assert.True(s.EnoughData);
        Assert.Equal(1.9630, s.Z!.Value, 4);
        Assert.Equal(0.0496, s.PValue!.Value, 4);
        Assert.True(s.Significant);
        Assert.Equal(95.0, s.ConfidencePercent);
        Assert.StartsWith("significant: 95.0% confidence", s.Verdict);
    }

    [Fact]
    public void ASmallDifference_IsNotSignificant()
    {
        var s = TwoProportionTest.Compare(120, 1000, 130, 1000);
        Assert.False(s.Significant);
        Assert.Equal("not significant (p = 0.4990)", s.Verdict);
    }

    [Fact]
    public void UnderTheMinimumSample_ThereIsNoVerdictYet_HoweverBigTheGap()
    {
        var s = TwoProportionTest.Compare(5, 99, 60, 99);
        Assert.False(s.EnoughData);
        Assert.Null(s.PValue);
        Assert.False(s.Significant);
        Assert.Equal("not significant yet (too few emails)", s.Verdict);
    }
}

[Collection(AppCollection.Name)]
public sealed class VariantStatsTests
{
    [Fact]
    public async Task SequenceStats_SplitAnAbStep_PerVariant_WithNoVerdictUnderTheMinimum()
    {
        await using var app = await NurtureApp.StartAsync();
        (await app.Api().PutAsJsonAsync("/api/v1/sequences/ab-test", JsonNode.Parse("""
            { "name": "A/B", "trigger": { "type": "tag_added", "tag": "ab" },
              "steps": [ { "id": "hello", "type": "email", "variants": [ { "template": "welcome", "weight": 50 }, { "template": "follow-up", "weight": 50 } ] } ] }
            """))).EnsureSuccessStatusCode();
        for (var i = 0; i < 6; i++) await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("ab"), tags = new[] { "ab" } });
        await Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.Messages.Count(m => m.StepId == "hello" && m.Status == MessageStatus.Sent && db.Sequences.Any(s => s.Id == m.SequenceId && s.Key == "ab-test")))),
            n => n == 6, 60, "six A/B emails sent");

        var stats = (await app.Api().GetFromJsonAsync<JsonObject>("/api/v1/sequences/ab-test/stats"))!;
        var variants = stats["variants"]!.AsArray();
        Assert.Equal(["welcome", "follow-up"], variants.Select(v => v!["template"]!.GetValue<string>()));
        Assert.Equal(6, variants.Sum(v => v!["sent"]!.GetValue<int>()));
        Assert.Null(variants[0]!["clicksVsFirst"]);
        Assert.False(variants[1]!["clicksVsFirst"]!["enoughData"]!.GetValue<bool>());
        Assert.Equal("not significant yet (too few emails)", variants[1]!["clicksVsFirst"]!["verdict"]!.GetValue<string>());
    }
}
