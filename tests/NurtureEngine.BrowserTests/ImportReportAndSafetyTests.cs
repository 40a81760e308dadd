using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ImportReportAndSafetyTests(BrowserFixture browser)
{
    private const string Marketer = "marketer@nurture.test", Rep = "rep@nurture.test";
    private const string Hostile = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task CsvImport_ReportsTheBadRow_SkipsTheDuplicate_AndExportNeutralisesFormulas()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Marketer, "Marketer");
        var page = await s.SignInAsync(Marketer);
        await page.GotoAsync(s.Url("/imports"));
        var csv = "Email,First name,Company,Deal value,Industry\n" +
                  "ada@example.com,Ada,Analytical Engines,1000,manufacturing\n" +
                  "bob@example.com,Bob,Builders,250,construction\n" +
                  "not-an-email,Carl,Nowhere,,retail\n" +
                  "ADA@example.com,Ada L.,Analytical Engines,2000,manufacturing\n";
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "leads.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await page.ClickAsync("button:has-text('Upload and preview')");
        await Expect(page.Locator("#mapping h2")).ToContainTextAsync("4 rows");
        await Expect(page.Locator("select[name='Mapping[0]']")).ToHaveValueAsync("email");
        await Expect(page.Locator("select[name='Mapping[1]']")).ToHaveValueAsync("firstName");
        await Expect(page.Locator("select[name='Mapping[4]']")).ToHaveValueAsync("attribute:industry");
        await page.CheckAsync("input[name=Duplicates][value=Skip]");
        await s.ScreenshotAsync(page, "mapping");
        await page.ClickAsync("#run-import");
        // The import runs in the background: the status page refreshes itself until the summary is there.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/imports/[0-9a-f-]{36}$"));
        await Expect(page.Locator("#created")).ToHaveTextAsync("2", new() { Timeout = 60_000 });
        await Expect(page.Locator("#skipped")).ToHaveTextAsync("1");
        await Expect(page.Locator("#failed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#row-errors")).ToContainTextAsync("not-an-email");
        await Expect(page.Locator("#row-errors td").First).ToHaveTextAsync("4");
        await s.ScreenshotAsync(page, "summary");

        var ada = (await s.App.Api().GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/leads?email=ada@example.com"))!["items"]![0]!;
        Assert.Equal("Ada", ada["firstName"]!.GetValue<string>()); // the duplicate row was skipped, not applied
        Assert.Equal("manufacturing", ada["attributes"]!["industry"]!.GetValue<string>());

        // Export of a filtered list: a formula in a cell is made inert.
        await s.App.CreateLeadAsync(new { email = "eve@example.com", company = "=HYPERLINK(\"http://evil.test\",\"x\")", tags = new[] { "export" } });
        var response = await page.Context.APIRequest.GetAsync(s.Url("/leads/export?tag=export"));
        Assert.Equal(200, response.Status);
        var exported = await response.TextAsync();
        Assert.Contains("'=HYPERLINK", exported);
        Assert.DoesNotContain("ada@example.com", exported);
    }

    [Fact]
    public async Task LargeCsvImport_ShowsAProgressBar_ThatRefreshesItselfToTheSummary()
    {
        const int rows = 2_000;
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Marketer, "Marketer");
        var page = await s.SignInAsync(Marketer);
        await page.GotoAsync(s.Url("/imports"));
        var csv = new StringBuilder("email,firstName,company\n");
        for (var i = 0; i < rows; i++) csv.Append($"bulk{i}@example.com,Bulk{i},Company {i % 50}\n");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "bulk.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await page.ClickAsync("button:has-text('Upload and preview')");
        await Expect(page.Locator("#mapping h2")).ToContainTextAsync($"{rows} rows");
        await page.ClickAsync("#run-import");

        // A real progress bar while the workers import, and a page that reloads itself (no script).
        var progress = page.Locator("progress#progress");
        await Expect(progress).ToHaveAttributeAsync("max", rows.ToString());
        await Expect(page.Locator("#progress-text")).ToContainTextAsync($"of {rows} rows");
        await Expect(page.Locator("meta[http-equiv=refresh]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#processed")).Not.ToHaveTextAsync("0", new() { Timeout = 300_000 }); // the first chunk committed
        await s.ScreenshotAsync(page, "import-progress");

        await Expect(page.Locator("#summary")).ToBeVisibleAsync(new() { Timeout = 600_000 });
        await Expect(page.Locator("#created")).ToHaveTextAsync(rows.ToString());
        await Expect(progress).ToHaveAttributeAsync("value", rows.ToString());
        await Expect(page.Locator("#progress-text")).ToContainTextAsync($"{rows} of {rows} rows (100%)");
        await Expect(page.Locator("meta[http-equiv=refresh]")).ToHaveCountAsync(0);
        await s.ScreenshotAsync(page, "import-done");

        await page.GotoAsync(s.Url("/imports"));
        await Expect(page.Locator("#imports tbody tr").First).ToContainTextAsync("bulk.csv");
        await Expect(page.Locator("#imports tbody tr").First).ToContainTextAsync("done");
    }

    [Fact]
    public async Task ReportsPage_DrawsTheFunnel()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Rep, "SalesRep");
        for (var i = 0; i < 3; i++) await s.App.CreateLeadAsync(new { email = $"lead{i}@example.com", dealValue = 1000 });
        var moved = await s.App.CreateLeadAsync(new { email = "mql@example.com", dealValue = 5000 });
        (await s.App.Api().PostAsJsonAsync($"/api/v1/leads/{moved["id"]}/stage", new { stage = "mql" })).EnsureSuccessStatusCode();

        var page = await s.SignInAsync(Rep);
        await page.GotoAsync(s.Url("/reports"));
        var leadBar = page.Locator("#funnel svg g.bar[data-label='Lead']");
        await Expect(leadBar).ToContainTextAsync("3");
        await Expect(leadBar).ToContainTextAsync("entered 4, 25% went further");
        var width = double.Parse((await leadBar.Locator("rect").GetAttributeAsync("width"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(width > 100, $"the Lead bar is drawn ({width} px)");
        await Expect(page.Locator("#forecast")).ToContainTextAsync("Weighted forecast");
        await Expect(page.Locator("#time-in-stage svg g.bar[data-label='Lead']")).ToHaveCountAsync(1);

        var funnel = await s.App.Api().GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/pipelines/default/funnel");
        var lead = funnel!["stages"]!.AsArray().Single(x => x!["key"]!.GetValue<string>() == "lead")!;
        Assert.Equal(3, lead["now"]!.GetValue<int>());
        Assert.Equal(4, lead["entered"]!.GetValue<int>());
        Assert.Equal(0.25, lead["conversionToNext"]!.GetValue<double>());
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task HostileLeadName_IsShownAsText_OnEveryPage_AndNoScriptRuns()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var created = await s.App.CreateLeadAsync(new { email = "hostile@example.com", firstName = Hostile, lastName = Hostile, company = Hostile, owner = AdminSession.AdminEmail });
        var id = created["id"]!.GetValue<string>();
        (await s.App.Api().PostAsJsonAsync("/api/v1/tasks", new { leadId = id, title = "Call " + Hostile, dueAt = DateTimeOffset.UtcNow.AddMinutes(-5) })).EnsureSuccessStatusCode();

        var admin = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);
        var pages = new[]
        {
            "/leads", $"/leads?Filter.Q={Uri.EscapeDataString("hostile")}", $"/leads/{id}", "/tasks", "/reports", "/", "/dev/inbox",
            "/templates/welcome/edit",
        };
        var lead = await admin.GotoAsync(s.Url($"/leads/{id}"));
        Assert.Contains("script-src 'self'", lead!.Headers["content-security-policy"]);
        Assert.Equal("nosniff", lead.Headers["x-content-type-options"]);
        await Expect(admin.Locator("#lead-name")).ToContainTextAsync(Hostile);

        // A note and the preview against this lead carry the name too.
        await admin.FillAsync("#note-text", "Met " + Hostile);
        await admin.ClickAsync("#note button[type=submit]");
        await Expect(admin.Locator("#timeline")).ToContainTextAsync("Met " + Hostile);
        await admin.GotoAsync(s.Url("/templates/welcome/edit"));
        await admin.FillAsync("#preview-lead", "hostile@example.com");
        await admin.ClickAsync("button:has-text('Check and preview')");
        await Expect(admin.FrameLocator("iframe.desktop").Locator("body")).ToContainTextAsync(Hostile);

        foreach (var path in pages)
        {
            await admin.GotoAsync(s.Url(path));
            Assert.Equal(0, await admin.Locator("img[src=x]").CountAsync());
        }
        await admin.GotoAsync(s.Url("/leads"));
        await Expect(admin.Locator("#leads")).ToContainTextAsync(Hostile);
        await admin.GotoAsync(s.Url("/tasks"));
        await Expect(admin.Locator("tr[data-task]")).ToContainTextAsync("Call " + Hostile);
        Assert.True(s.Dialogs.Count == 0, "a script ran: " + string.Join("; ", s.Dialogs));
    }
}
