using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Operations;

/// <summary>
/// The funnel report reads columns the stage mover keeps on each stage change (when the stint
/// ended, whether the lead went further, its previous entry into the stage): the figures must be
/// those of the lead's history, with re-entries counted once and back-moves not counted as conversions.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FunnelReportTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-06-01T08:00:00Z");

    [Fact]
    public async Task Funnel_CountsLeadsOncePerStage_ConversionsOnlyForward_TimeInStageFromClosedStints()
    {
        var clock = new FakeTimeProvider(T0);
        await using var app = await NurtureApp.StartAsync(clock: clock);
        var api = app.Api();
        var a = await CreateAsync(app);
        var b = await CreateAsync(app);
        var c = await CreateAsync(app);
        clock.Advance(TimeSpan.FromHours(1));
        await MoveAsync(api, a, "mql");
        clock.Advance(TimeSpan.FromHours(1));
        await MoveAsync(api, c, "sql");
        clock.Advance(TimeSpan.FromHours(1));
        await MoveAsync(api, a, "lead"); // back: not a conversion of mql
        clock.Advance(TimeSpan.FromHours(1));
        await MoveAsync(api, a, "mql"); // re-entry: a converted from lead again, and is in mql twice
        clock.Advance(TimeSpan.FromHours(1));
        _ = b; // stays in lead: entered, not converted, its stint still open

        var all = await FunnelAsync(api, T0.AddDays(-1), T0.AddDays(1));
        Assert.Equal(3, all["lead"]!["entered"]!.GetValue<int>());
        Assert.Equal(2, all["lead"]!["convertedToNext"]!.GetValue<int>());
        Assert.Equal(3600, all["lead"]!["medianSecondsInStage"]!.GetValue<double>());   // 1 h, 1 h, 2 h
        Assert.Equal(4800, all["lead"]!["meanSecondsInStage"]!.GetValue<double>());
        Assert.Equal(1, all["mql"]!["entered"]!.GetValue<int>());
        Assert.Equal(0, all["mql"]!["convertedToNext"]!.GetValue<int>());
        Assert.Equal(7200, all["mql"]!["medianSecondsInStage"]!.GetValue<double>());    // the first stint only
        Assert.Equal(1, all["sql"]!["entered"]!.GetValue<int>());

        // From 02:30 on: only a's second entries are in the period, each counted once.
        var late = await FunnelAsync(api, T0.AddMinutes(150), T0.AddDays(1));
        Assert.Equal(1, late["lead"]!["entered"]!.GetValue<int>());
        Assert.Equal(1, late["lead"]!["convertedToNext"]!.GetValue<int>());
        Assert.Equal(1, late["mql"]!["entered"]!.GetValue<int>());
        Assert.Equal(0, late["sql"]!["entered"]!.GetValue<int>());
    }

    private static async Task<string> CreateAsync(NurtureApp app) =>
        (await app.CreateLeadAsync(new { email = NurtureApp.UniqueEmail("funnel") }))["id"]!.GetValue<string>();

    private static async Task MoveAsync(HttpClient api, string id, string stage) =>
        (await api.PostAsJsonAsync($"/api/v1/leads/{id}/stage", new { stage })).EnsureSuccessStatusCode();

    private static async Task<Dictionary<string, JsonNode>> FunnelAsync(HttpClient api, DateTimeOffset from, DateTimeOffset to)
    {
        var funnel = (await api.GetFromJsonAsync<JsonObject>(
            $"/api/v1/pipelines/default/funnel?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"))!;
        return funnel["stages"]!.AsArray().ToDictionary(s => s!["key"]!.GetValue<string>(), s => s!);
    }
}
