using System.Net;
using System.Text.RegularExpressions;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Sales;

/// <summary>
/// The board's filters and paged columns, as a signed-in manager and rep see them: owner, tag (lead board),
/// close month (deal board), a column paged 25 at a time with totals that always count the whole column, and the
/// pages behind a role.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class BoardFilterTests : IAsyncLifetime
{
    private const string Rep = "rep@ourcompany.test", Other = "other@ourcompany.test", Password = "Rep-password-12";
    private NurtureApp _app = null!;
    public async Task InitializeAsync() { _app = await NurtureApp.StartAsync(); await _app.QuietDemoSequencesAsync(); }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task OwnerTagAndCloseMonth_NarrowTheCardsAndTotals_AndAColumnPagesBy25()
    {
        var api = _app.Api();
        for (var i = 0; i < 30; i++) await _app.LeadAsync($"many{i:00}@example.com", new { owner = Other, dealValue = 10 });
        await _app.LeadAsync("vip@example.com", new { owner = Rep, tags = new[] { "vip" }, dealValue = 700 });
        await _app.LeadAsync("plain@example.com", new { owner = Rep, dealValue = 300 });
        using var admin = await AdminClient.SignInAsync(_app);

        var everyone = await admin.Http.GetStringAsync("/board?pipeline=default");
        Assert.Equal(25, Cards(everyone).Count); // the first page of the lead column
        Assert.Equal("32", Total(everyone, "lead", "count"));
        var next = NextLink(everyone, "lead");
        var second = await admin.Http.GetStringAsync(WebUtility.HtmlDecode(next));
        Assert.Equal(7, Cards(second).Count);
        Assert.Empty(Cards(everyone).Intersect(Cards(second)));
        Assert.DoesNotContain("class=\"column-more\"", second);
        Assert.Contains("id=\"column-first-lead\"", second); // back to the first page

        var rep = await admin.Http.GetStringAsync($"/board?pipeline=default&owner={Rep}");
        Assert.Equal(("2", "1,000"), (Total(rep, "lead", "count"), Total(rep, "lead", "amount")));
        var vip = await admin.Http.GetStringAsync($"/board?pipeline=default&owner=all&tag=VIP");
        Assert.Single(Cards(vip));
        Assert.Contains("vip@example.com", vip);
        Assert.Equal(("1", "700"), (Total(vip, "lead", "count"), Total(vip, "lead", "amount")));

        await api.PutDealPipelineAsync("sales");
        var lead = await _app.LeadAsync("buyer@example.com");
        var january = await api.DealAsync(new { name = "January deal", leadId = lead, pipeline = "sales", amount = 1000, closeDate = "2027-01-20" });
        var february = await api.DealAsync(new { name = "February deal", leadId = lead, pipeline = "sales", amount = 4000, closeDate = "2027-02-05" });
        var inJanuary = await admin.Http.GetStringAsync("/board?pipeline=sales&closeMonth=2027-01");
        Assert.Equal([january], Cards(inJanuary));
        Assert.Equal(("1", "1,000", "200"), (Total(inJanuary, "qualified", "count"), Total(inJanuary, "qualified", "amount"), Total(inJanuary, "qualified", "weighted")));
        Assert.Equal(new[] { january, february }.Order(), Cards(await admin.Http.GetStringAsync("/board?pipeline=sales")).Order());
        var badMonth = await admin.Http.GetStringAsync("/board?pipeline=sales&closeMonth=2027-13");
        Assert.Contains("closeMonth must be a month", badMonth);
        Assert.Equal(2, Cards(badMonth).Count); // the unfiltered board, with the error said
    }

    [Fact]
    public async Task TheSalesPages_NeedASignIn_AndARepSeesThemButCannotSetTargets()
    {
        var api = _app.Api();
        await api.PutDealPipelineAsync("sales");
        var lead = await _app.LeadAsync("buyer@example.com");
        var deal = await api.DealAsync(new { name = "Deal", leadId = lead, pipeline = "sales" });
        var company = (await api.PostJsonAsync("/api/v1/companies", new { domain = "example.org" }, HttpStatusCode.Created))["id"]!.GetValue<string>();
        string[] pages = ["/board", "/companies", $"/companies/{company}", $"/deals/{deal}", "/reports/sales"];

        using var anonymous = AdminClient.Anonymous(_app);
        foreach (var page in pages)
        {
            var response = await anonymous.Http.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/login", StringComparison.OrdinalIgnoreCase),
                $"{page}: {(int)response.StatusCode} {response.Headers.Location}");
        }
        await AdminClient.CreateUserAsync(_app, Rep, Password, "SalesRep");
        using var rep = await AdminClient.SignInAsync(_app, Rep, Password);
        foreach (var page in pages) Assert.Equal(HttpStatusCode.OK, (await rep.Http.GetAsync(page)).StatusCode);
        Assert.DoesNotContain("id=\"target-form\"", await rep.Http.GetStringAsync("/reports/sales"));
        var target = await rep.PostFormAsync("/reports/sales", "/reports/sales?handler=Target", new() { ["targetOwner"] = Rep, ["monthly"] = "1000000" });
        Assert.Equal(HttpStatusCode.Redirect, target.StatusCode); // to "not allowed"
        Assert.Contains("/account/denied", target.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await api.GetJsonAsync("/api/v1/targets"))["items"]!.AsArray());
    }

    private static List<string> Cards(string html) => CardId().Matches(html).Select(m => m.Groups[1].Value).ToList();

    private static string Total(string html, string stage, string which) =>
        Regex.Match(html, $"id=\"totals-{stage}\">\\s*<span class=\"total-count\">([^<]*)</span> · <span class=\"total-amount\">([^<]*)</span>\\s*· weighted <span class=\"total-weighted\">([^<]*)</span>")
            .Groups[which switch { "count" => 1, "amount" => 2, _ => 3 }].Value;

    private static string NextLink(string html, string stage) =>
        Regex.Match(html, $"<a class=\"column-more\" href=\"([^\"]*column={stage}[^\"]*)\"").Groups[1].Value is { Length: > 0 } href ? href
            : throw new Xunit.Sdk.XunitException($"no next link in column {stage}");

    [GeneratedRegex("<article class=\"board-card[^\"]*\" id=\"card-([0-9a-f-]{36})\"")]
    private static partial Regex CardId();
}
