using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// The admin as a newcomer meets it, at 1366 px (a laptop) and 375 px (a phone): navigation that
/// folds and shows where you are, pages no wider than the screen, leads made and changed by hand
/// with names instead of keys, and times in the viewer's own time zone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class UsabilityTests(BrowserFixture browser)
{
    private const string Marketer = "marketer@nurture.test", Rep = "rep@nurture.test";
    private const int Phone = 375, Laptop = 1366;

    [Fact]
    public async Task OnAPhone_TheNavigationFolds_AndNoPageIsWiderThanTheScreen_OnALaptopItFitsOneLineAndShowsWhereYouAre()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var lead = await s.App.CreateLeadAsync(new { email = "a.very.long.address.for.a.narrow.screen@subdomain.example.com", firstName = "Ada", company = "Analytical Engines International Holdings" });
        var phone = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, Phone, 800);

        // Folded: one "Menu" button instead of fifteen links; opened, every link and Sign out are reachable.
        await Expect(phone.Locator("#nav-toggle")).ToBeVisibleAsync();
        await Expect(phone.Locator("nav a[href='/leads']")).ToBeHiddenAsync();
        await Expect(phone.Locator("header button:has-text('Sign out')")).ToBeHiddenAsync();
        await phone.ClickAsync("#nav-toggle");
        await Expect(phone.Locator("nav a[href='/leads']")).ToBeVisibleAsync();
        await Expect(phone.Locator("header button:has-text('Sign out')")).ToBeVisibleAsync();
        await phone.ClickAsync("#nav-admin summary");
        await phone.ClickAsync("nav a[href='/settings/webhooks']");
        await Expect(phone.Locator("h1")).ToHaveTextAsync("Webhooks");

        var tooWide = new List<string>();
        foreach (var path in new[]
                 {
                     "/", "/leads", $"/leads/{lead["id"]}", $"/leads/{lead["id"]}/edit", "/leads/new", "/tasks", "/pipelines", "/templates",
                     "/sequences", "/sequences/welcome/edit", "/segments", "/segments/edit", "/imports", "/reports", "/users", "/settings",
                     "/settings/api-keys", "/settings/webhooks", "/settings/suppressions", "/dev/inbox", "/account/password",
                 })
        {
            var response = await phone.GotoAsync(s.Url(path));
            Assert.True(response!.Ok, $"{path}: {response.Status}");
            var width = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            if (width > Phone) tooWide.Add($"{path} is {width} px wide");
        }
        Assert.Empty(tooWide);

        var laptop = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, Laptop, 900);
        await laptop.GotoAsync(s.Url("/leads"));
        await Expect(laptop.Locator("#nav-toggle")).ToBeHiddenAsync();
        // One row: every link at the same height, Sign out beside them, the header no taller than one line.
        var tops = await laptop.EvaluateAsync<double[]>("() => [...document.querySelectorAll('nav > a, nav > details > summary')].map(e => Math.round(e.getBoundingClientRect().top))");
        Assert.Single(tops.Distinct());
        var header = await laptop.EvaluateAsync<double>("() => document.querySelector('header').getBoundingClientRect().height");
        Assert.True(header < 70, $"the header is {header} px tall");
        await Expect(laptop.Locator("header button:has-text('Sign out')")).ToBeInViewportAsync();
        await Expect(laptop.Locator("nav a[aria-current=page]")).ToHaveTextAsync("Leads");
        await laptop.GotoAsync(s.Url("/settings/webhooks"));
        await Expect(laptop.Locator("nav a[aria-current=page]")).ToHaveTextAsync("Webhooks");
        await Expect(laptop.Locator("#nav-admin summary")).ToHaveClassAsync("current");
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task AKeyThatIsNotASlug_IsStoppedByTheBrowser_OnEveryPageThatAsksForOne()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, Laptop);
        var console = new List<string>();
        page.Console += (_, m) => { lock (console) console.Add(m.Text); };

        foreach (var path in new[] { "/templates", "/sequences", "/segments/edit", "/forms/edit", "/broadcasts/edit" })
        {
            await page.GotoAsync(s.Url(path));
            await page.FillAsync("#key", "Spring Launch!");
            // A pattern the browser cannot compile is ignored without a word: then nothing is a mismatch.
            Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('key').validity.patternMismatch"), $"{path}: 'Spring Launch!' passed the key check");
            await page.FillAsync("#key", "spring-launch");
            Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('key').validity.valid"), $"{path}: 'spring-launch' was refused");
        }
        Assert.DoesNotContain(console, m => m.Contains("regular expression", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(Laptop)]
    [InlineData(Phone)]
    public async Task Marketer_CreatesALeadByHand_WithErrorsAtTheField_SeesStageNames_MovesAndReassignsIt_AndErasesIt(int width)
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        await s.CreateUserAsync(Marketer, "Marketer");
        await s.CreateUserAsync(Rep, "SalesRep");
        var page = await s.SignInAsync(Marketer, width: width, height: 800);

        await page.GotoAsync(s.Url("/leads"));
        await page.ClickAsync("#new-lead");
        await page.FillAsync("#email", "grace@example.com");
        await page.FillAsync("#field-firstName", "Grace");
        await page.FillAsync("#field-dealValue", "lots");
        await page.ClickAsync("#save-lead");
        await Expect(page.Locator(".field-error[data-field=dealValue]")).ToHaveTextAsync("Deal value must be a number, like 12000 or 12,000.50");
        await Expect(page.Locator("#field-firstName")).ToHaveValueAsync("Grace"); // nothing typed is lost
        Assert.Empty((await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/leads?email=grace@example.com"))!["items"]!.AsArray());
        await AdminSession.AssertFitsAsync(page, width);

        await page.FillAsync("#field-dealValue", "12,000");
        await page.FillAsync("#field-tags", "webinar, VIP");
        await page.SelectOptionAsync("#field-stage", "default:mql");
        await page.SelectOptionAsync("#field-owner", Rep);
        await page.ClickAsync("#save-lead");
        await Expect(page.Locator(".flash")).ToHaveTextAsync("Lead grace@example.com created.");
        await Expect(page.Locator(".grid .stat").First).ToHaveTextAsync("Marketing qualified");
        await Expect(page.Locator("body")).ToContainTextAsync($"Owner: {Rep}");

        // The same address again is refused at the email field, with a way to the lead that has it.
        await page.GotoAsync(s.Url("/leads/new"));
        await page.FillAsync("#email", "Grace@Example.com");
        await page.ClickAsync("#save-lead");
        await Expect(page.Locator(".field-error[data-field=email]")).ToContainTextAsync("already exists");
        await Expect(page.Locator(".field-error[data-field=email] a")).ToHaveTextAsync("open it");

        // The list shows names, tags and totals per page; bulk actions pick stages and sequences by name.
        await page.GotoAsync(s.Url("/leads"));
        var row = page.Locator("tr[data-lead='grace@example.com']");
        await Expect(row.Locator(".stage")).ToHaveTextAsync("Marketing qualified");
        await Expect(row.Locator(".tags")).ToContainTextAsync("vip");
        await Expect(page.Locator("label[for=bulk-value]")).ToHaveCountAsync(0); // no more "Stage key, tag or sequence key"
        await Expect(page.Locator("#bulk-sequence")).ToBeHiddenAsync();          // only the chosen action's picker
        await row.Locator("input[name=ids]").CheckAsync();
        await page.SelectOptionAsync("#bulk-stage", new SelectOptionValue { Label = "Sales qualified" });
        await page.ClickAsync("#bulk button:has-text('Apply')");
        await Expect(page.Locator(".flash")).ToHaveTextAsync("Moved 1 lead(s) to Sales qualified.");
        await Expect(row.Locator(".stage")).ToHaveTextAsync("Sales qualified");
        await AdminSession.AssertFitsAsync(page, width);

        // Reassign through the owner picker.
        await row.Locator("a").First.ClickAsync();
        await page.ClickAsync("#edit-lead");
        await page.SelectOptionAsync("#field-owner", AdminSession.AdminEmail);
        await page.FillAsync("#field-company", "Hopper Labs");
        await page.ClickAsync("#save-lead");
        await Expect(page.Locator(".flash")).ToHaveTextAsync("Lead saved.");
        await Expect(page.Locator("body")).ToContainTextAsync($"Owner: {AdminSession.AdminEmail}");
        await Expect(page.Locator("body")).ToContainTextAsync("at Hopper Labs");
        var id = page.Url.Split('/')[^1];

        // Erasing needs the warning ticked.
        await page.ClickAsync("#edit-lead");
        await Expect(page.Locator("#erase")).ToContainTextAsync("cannot be undone");
        await page.ClickAsync("#erase-lead");
        await Expect(page.Locator("#erase .field-error")).ToContainTextAsync("Tick the box");
        Assert.Equal(HttpStatusCode.OK, (await s.App.Api().GetAsync($"/api/v1/leads/{id}")).StatusCode);
        await page.CheckAsync("#erase-understood");
        await page.ClickAsync("#erase-lead");
        await Expect(page.Locator(".flash")).ToContainTextAsync("grace@example.com was erased");
        Assert.Equal(HttpStatusCode.NotFound, (await s.App.Api().GetAsync($"/api/v1/leads/{id}")).StatusCode);

        // A rep may not erase.
        var rep = await s.SignInAsync(Rep, width: Phone, height: 800);
        var other = await s.App.CreateLeadAsync(new { email = "lin@example.com", owner = Rep });
        await rep.GotoAsync(s.Url($"/leads/{other["id"]}/edit"));
        await Expect(rep.Locator("#erase")).ToHaveCountAsync(0);
        await AdminSession.AssertFitsAsync(page, width);
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task LeadList_PagesForwardAndBack_AndSelectAllTicksThePage()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        for (var i = 0; i < 55; i++) await s.App.CreateLeadAsync(new { email = $"page{i:00}@example.com" });
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, Laptop);

        await page.GotoAsync(s.Url("/leads"));
        await Expect(page.Locator("#page-info")).ToContainTextAsync("Page 1 · 50 lead(s) shown");
        var firstOnPageOne = await page.Locator("#leads tbody tr").First.GetAttributeAsync("data-lead");
        await page.CheckAsync("input[data-select-all=ids]");
        await Expect(page.Locator("input[name=ids]:checked")).ToHaveCountAsync(50);

        await page.ClickAsync("#next-page");
        await Expect(page.Locator("#page-info")).ToContainTextAsync("Page 2 · 5 lead(s) shown");
        await Expect(page.Locator("#next-page")).ToHaveCountAsync(0);
        await page.ClickAsync("#previous-page");
        await Expect(page.Locator("#page-info")).ToContainTextAsync("Page 1 · 50 lead(s) shown");
        await Expect(page.Locator("#leads tbody tr").First).ToHaveAttributeAsync("data-lead", firstOnPageOne!);
        await Expect(page.Locator("#previous-page")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task LeadList_SortsByScoreEmailAndName_PagesInThatOrder_AndShowsHowManyMatch()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        // Created in reverse email order, with scores in neither order: (i * 7) % 55 runs over 0..54 once.
        // First names in a third order, (i * 13) % 55, one of them lower case.
        static string FirstName(int i) => i * 13 % 55 == 3 ? "ann03" : $"Ann{i * 13 % 55:00}";
        for (var i = 0; i < 55; i++) await s.App.CreateLeadAsync(new { email = $"sort{54 - i:00}@example.com", firstName = FirstName(i), lastName = "Lee" });
        using (var scope = s.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NurtureEngine.Data.NurtureDbContext>();
            for (var i = 0; i < 55; i++)
            {
                var (email, score) = ($"sort{54 - i:00}@example.com", i * 7 % 55);
                await db.Leads.Where(l => l.Email == email).ExecuteUpdateAsync(u => u.SetProperty(l => l.Score, score));
            }
        }
        string EmailWithScore(int score) => $"sort{54 - Enumerable.Range(0, 55).Single(i => i * 7 % 55 == score):00}@example.com";
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, Laptop);
        var rows = page.Locator("#leads tbody tr");

        await page.GotoAsync(s.Url("/leads"));
        await Expect(page.Locator("#total")).ToHaveTextAsync("55 lead(s) match");
        await Expect(page.Locator("th[aria-sort=none]")).ToHaveCountAsync(6);

        await page.ClickAsync("#sort-score");
        await Expect(page.Locator("th[aria-sort=descending]")).ToContainTextAsync("Score");
        await Expect(rows.First).ToHaveAttributeAsync("data-lead", EmailWithScore(54));
        await Expect(rows.Nth(1)).ToHaveAttributeAsync("data-lead", EmailWithScore(53));
        await Expect(page.Locator("#total")).ToHaveTextAsync("55 lead(s) match");
        await page.ClickAsync("#next-page");
        await Expect(page.Locator("#page-info")).ToContainTextAsync("Page 2 · 5 lead(s) shown");
        await Expect(rows.First).ToHaveAttributeAsync("data-lead", EmailWithScore(4));
        await Expect(rows.Last).ToHaveAttributeAsync("data-lead", EmailWithScore(0));
        await page.ClickAsync("#previous-page");
        await Expect(rows.First).ToHaveAttributeAsync("data-lead", EmailWithScore(54));

        // A filter keeps the order and counts only its matches; sorting by email is A–Z.
        await page.FillAsync("#q", "sort1");
        await page.ClickAsync("#filters button[type=submit]");
        await Expect(page.Locator("#total")).ToHaveTextAsync("10 lead(s) match");
        await Expect(page.Locator("th[aria-sort=descending]")).ToContainTextAsync("Score");
        await page.ClickAsync("#sort-email");
        await Expect(rows).ToHaveCountAsync(10);
        await Expect(rows.First).ToHaveAttributeAsync("data-lead", "sort10@example.com");
        await Expect(rows.Last).ToHaveAttributeAsync("data-lead", "sort19@example.com");
        await page.ClickAsync("#sort-default");
        await Expect(page.Locator("th[aria-sort=none]")).ToHaveCountAsync(6);
        await Expect(rows).ToHaveCountAsync(10);

        // By name, A–Z whatever the case, page by page.
        string EmailNamed(int n) => $"sort{54 - Enumerable.Range(0, 55).Single(i => i * 13 % 55 == n):00}@example.com";
        await page.GotoAsync(s.Url("/leads"));
        await page.ClickAsync("#sort-name");
        await Expect(page.Locator("th[aria-sort=ascending]")).ToContainTextAsync("Name");
        await Expect(rows.First).ToHaveAttributeAsync("data-lead", EmailNamed(0));
        await Expect(rows.Nth(3)).ToHaveAttributeAsync("data-lead", EmailNamed(3)); // "ann03" between Ann02 and Ann04
        await Expect(rows.Nth(4)).ToHaveAttributeAsync("data-lead", EmailNamed(4));
        await page.ClickAsync("#next-page");
        await Expect(page.Locator("#page-info")).ToContainTextAsync("Page 2 · 5 lead(s) shown");
        await Expect(rows.First).ToHaveAttributeAsync("data-lead", EmailNamed(50));
        await Expect(rows.Last).ToHaveAttributeAsync("data-lead", EmailNamed(54));
    }

    [Fact]
    public async Task Rep_OnAPhone_SetsTheirTimeZone_OpensTheirHome_ALead_AndItsTimelineInTheirOwnTime()
    {
        const string zone = "Pacific/Auckland";
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        await s.CreateUserAsync(Rep, "SalesRep");
        await s.App.CreateLeadAsync(new { email = "hot@example.com", firstName = "Hettie", lastName = "Hot", owner = Rep });
        var rep = await s.SignInAsync(Rep, width: Phone, height: 800); // the browser itself is in UTC

        await rep.ClickAsync("#nav-toggle");
        await rep.ClickAsync($"header a:has-text('{Rep}')");
        await rep.FillAsync("#time-zone", "Mars/Olympus_Mons");
        await rep.ClickAsync("#time-zone-form button");
        await Expect(rep.Locator("#time-zone-error")).ToContainTextAsync("is not a time zone");
        await rep.FillAsync("#time-zone", zone);
        await rep.ClickAsync("#time-zone-form button");
        await Expect(rep.Locator(".flash")).ToHaveTextAsync($"Times are shown in {zone}.");

        await rep.GotoAsync(s.Url("/"));
        await Expect(rep.Locator("h1")).ToHaveTextAsync("My day");
        await rep.ClickAsync("#my-hot-leads a:has-text('Hettie Hot')");
        await Expect(rep.Locator("#time-zone-note")).ToContainTextAsync(zone);

        // Readable kinds and local times: the created row reads "Lead created" at Auckland's wall-clock time.
        var created = rep.Locator("#timeline tr[data-kind=created]");
        await Expect(created.Locator(".kind")).ToHaveTextAsync("Lead created");
        var instant = DateTimeOffset.Parse((await created.Locator("time").GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture);
        var expected = TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
        await Expect(created.Locator("time")).ToHaveTextAsync(expected);

        // A note shows once; a task due at a local time is stored as that instant.
        await rep.FillAsync("#note-text", "Called, call back Tuesday");
        await rep.ClickAsync("#note button");
        await Expect(rep.Locator(".flash")).ToHaveTextAsync("Note added.");
        var timeline = await rep.Locator("#timeline").InnerTextAsync();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(timeline, "call back Tuesday"));
        await rep.FillAsync("#task-title", "Call back");
        await rep.FillAsync("#task-due", "2026-12-24T09:30");
        await rep.ClickAsync("#tasks button:has-text('Add task')");
        await Expect(rep.Locator("#tasks li:has-text('Call back') time")).ToHaveTextAsync("24 Dec 2026, 09:30");
        var task = (await s.App.Api().GetFromJsonAsync<JsonObject>($"/api/v1/tasks?owner={Rep}&status=open"))!["items"]!.AsArray().Single()!;
        Assert.Equal(new DateTimeOffset(2026, 12, 23, 20, 30, 0, TimeSpan.Zero), task["dueAt"]!.GetValue<DateTimeOffset>()); // 09:30 NZDT is 20:30 UTC the day before

        // The filter keeps only notes and tasks.
        await rep.SelectOptionAsync("#show", "notes");
        await rep.ClickAsync("#timeline-filter button");
        await Expect(rep.Locator("#timeline tr[data-kind=note]")).ToHaveCountAsync(1);
        await Expect(rep.Locator("#timeline tr[data-kind=created]")).ToHaveCountAsync(0);
        Assert.True(await rep.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= Phone);
        Assert.Empty(s.Dialogs);
    }

    [Theory]
    [InlineData(Laptop)]
    [InlineData(Phone)]
    public async Task Marketer_BuildsASequenceWithWordWaits_SeesAFieldErrorAtItsStep_ReloadsAndFindsTheDraft_ThenPublishes(int width)
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Marketer, "Marketer");
        var page = await s.SignInAsync(Marketer, width: width, height: 800);
        await page.GotoAsync(s.Url("/sequences"));
        await page.FillAsync("#key", "trial-nurture");
        await page.ClickAsync("button:has-text('Create')");
        await page.FillAsync("#name", "Trial nurture");
        await page.SelectOptionAsync("#trigger-type", "tag_added");
        await Expect(page.Locator("#trigger-stage")).ToBeHiddenAsync(); // only the chosen trigger's fields
        await page.FillAsync("#trigger-tag", "trial");
        await page.SelectOptionAsync("#new-type", "wait");
        await page.ClickAsync("button:has-text('Add step')");
        await Expect(page.Locator("#step-1-duration")).ToHaveValueAsync("2 days");

        // A wait the builder cannot read is named at its own field, as step 2 (the page's numbering), while editing.
        await page.FillAsync("#step-1-duration", "3 dayz");
        var error = page.Locator(".field-error[data-field='steps[1].duration']");
        await Expect(error).ToHaveTextAsync("Step 2, wait: must be a duration like \"3 days\", \"2 hours\", \"30 minutes\" or P3D");
        await Expect(page.Locator("#step-1-duration + .field-error")).ToHaveCountAsync(1);

        // Without waiting for the script: the button saves the draft and the page shows the same error.
        await page.FillAsync("#step-1-duration", "3 days");
        await page.SelectOptionAsync("#new-type", "branch");
        await page.ClickAsync("button:has-text('Add step')");
        var branch = page.Locator("#step-2-condition .cond[data-path='steps[2].if']");
        await branch.Locator("select[aria-label='condition type']").SelectOptionAsync("has_tag");
        await Expect(branch.Locator("input[aria-label=tag]")).ToBeVisibleAsync();
        await Expect(branch.Locator("input[aria-label^=within]")).ToHaveCountAsync(0); // only the chosen type's fields
        await branch.Locator("input[aria-label=tag]").FillAsync("vip");
        await AdminSession.AssertFitsAsync(page, width);
        await page.ClickAsync("#save-draft");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Draft saved");

        // A reload (or a new tab) finds the draft: nothing is lost before publishing.
        await page.ReloadAsync();
        await Expect(page.Locator("#draft")).ToContainTextAsync("Unpublished draft");
        await Expect(page.Locator("#name")).ToHaveValueAsync("Trial nurture");
        await Expect(page.Locator("#step-1-duration")).ToHaveValueAsync("3 days");
        await Expect(page.Locator("#step-2-condition input[aria-label=tag]")).ToHaveValueAsync("vip");
        Assert.Equal(HttpStatusCode.NotFound, (await s.App.Api().GetAsync("/api/v1/sequences/trial-nurture")).StatusCode);

        await page.SelectOptionAsync("#step-2-then", "email-1");
        await page.SelectOptionAsync("#step-2-else", "wait-1");
        await page.ClickAsync("#publish");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Published trial-nurture");
        await Expect(page.Locator("#draft")).ToHaveCountAsync(0);
        await Expect(page.Locator("#step-1-duration")).ToHaveValueAsync("3 days");
        var stored = (await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/sequences/trial-nurture"))!;
        Assert.Equal("P3D", stored["steps"]![1]!["duration"]!.GetValue<string>());
        Assert.Equal("has_tag", stored["steps"]![2]!["if"]!["type"]!.GetValue<string>());
        await AdminSession.AssertFitsAsync(page, width);
        Assert.Empty(s.Dialogs);
    }

    [Theory]
    [InlineData(Laptop)]
    [InlineData(Phone)]
    public async Task Marketer_BuildsANestedSegmentWithoutJson_WithALiveCount_ErrorsAtTheCondition_AndAJsonSlipInWords(int width)
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        await s.CreateUserAsync(Marketer, "Marketer");
        await s.App.CreateLeadAsync(new { email = "ada@example.com", stage = "mql", tags = new[] { "webinar" } });
        await s.App.CreateLeadAsync(new { email = "bob@example.com", stage = "mql", tags = new[] { "vip" } });
        await s.App.CreateLeadAsync(new { email = "carl@example.com", stage = "mql" });
        await s.App.CreateLeadAsync(new { email = "dora@example.com", stage = "lead", tags = new[] { "webinar" } });
        var page = await s.SignInAsync(Marketer, width: width, height: 800);
        await page.GotoAsync(s.Url("/segments/edit"));
        await page.FillAsync("#key", "warm-mqls");
        await page.FillAsync("#name", "Warm MQLs");

        // No JSON in sight: the builder starts from the example, stages picked by name.
        await Expect(page.Locator("#filter")).ToBeHiddenAsync();
        var builder = page.Locator("#filter-builder");
        await Expect(builder.Locator(".cond[data-path='filter.of[0]'] select[aria-label=stage]")).ToHaveValueAsync("mql");
        await Expect(builder.Locator(".cond[data-path='filter.of[0]'] select[aria-label=stage] option:checked")).ToHaveTextAsync("Marketing qualified");

        // Marketing qualified AND (tag webinar OR tag vip).
        await builder.Locator(".cond[data-path='filter.of[1]'] button[title='Remove condition']").ClickAsync();
        await builder.Locator(".cond-group[data-path='filter'] > .row").Last.Locator("button:has-text('+ group')").ClickAsync();
        var group = builder.Locator(".cond-group[data-path='filter.of[1]']");
        await Expect(group.Locator("select[aria-label=match]")).ToHaveValueAsync("any");
        await group.Locator(".cond[data-path='filter.of[1].of[0]'] input[aria-label=tag]").FillAsync("webinar");
        await page.Locator(".cond-group[data-path='filter.of[1]'] > .row").Last.Locator("button:has-text('+ condition')").ClickAsync();
        await group.Locator(".cond[data-path='filter.of[1].of[1]'] input[aria-label=tag]").FillAsync("vip");
        await Expect(page.Locator("#member-count")).ToHaveTextAsync("2 members");

        // A condition left incomplete is named at that condition, in words.
        await group.Locator(".cond[data-path='filter.of[1].of[1]'] input[aria-label=tag]").FillAsync("");
        await Expect(group.Locator(".field-error[data-field='filter.of[1].of[1].tag']")).ToHaveTextAsync("tag: a tag name is required");
        await group.Locator(".cond[data-path='filter.of[1].of[1]'] input[aria-label=tag]").FillAsync("vip");
        await Expect(page.Locator("#member-count")).ToHaveTextAsync("2 members");
        await Expect(group.Locator(".field-error")).ToHaveCountAsync(0);

        await AdminSession.AssertFitsAsync(page, width);
        await page.ClickAsync("#save");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Segment warm-mqls created: 2 members");
        await Expect(page.Locator("#members")).ToContainTextAsync("ada@example.com");
        await Expect(page.Locator("#members")).ToContainTextAsync("bob@example.com");
        await Expect(page.Locator("#members")).Not.ToContainTextAsync("carl@example.com");
        await Expect(page.Locator("#members")).Not.ToContainTextAsync("dora@example.com");
        // Saved and reloaded, the builder shows the same nested groups.
        await Expect(page.Locator("#filter-builder .cond-group[data-path='filter.of[1]'] .cond")).ToHaveCountAsync(2);

        // The JSON view edits the same filter; a slip there is told in words with its place, not as a parser message.
        await page.ClickAsync("#filter-json summary");
        Assert.Contains("\"any\"", await page.InputValueAsync("#filter"));
        await page.FillAsync("#filter", """{ "type": "has_tag", "tag": "vip", }""");
        await page.ClickAsync("#count");
        var slip = page.Locator("[data-error-for=filter]");
        await Expect(slip).ToContainTextAsync("not valid JSON: check for a missing or extra comma, quote or bracket at line 1, column");
        await Expect(slip).Not.ToContainTextAsync("BytePositionInLine");
        await AdminSession.AssertFitsAsync(page, width);
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task Admin_SuppressesAnAddressByHand_LooksItUp_AndRemovesIt_WithoutTheApi()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword, Phone, 800);
        await page.GotoAsync(s.Url("/settings/suppressions"));
        await page.FillAsync("#address", "no.mail@example.com");
        await page.FillAsync("#reason", "asked by phone");
        await page.ClickAsync("#add button");
        await Expect(page.Locator(".flash")).ToHaveTextAsync("no.mail@example.com will not be mailed again.");
        var listed = await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/suppressions?email=no.mail@example.com");
        Assert.Single(listed!["items"]!.AsArray());

        await page.FillAsync("#email", "No.Mail@example.com");
        await page.ClickAsync("#search button");
        await Expect(page.Locator("#suppressions tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#suppressions tbody tr")).ToContainTextAsync("manual: asked by phone");
        await page.ClickAsync("#suppressions button:has-text('Remove')");
        await Expect(page.Locator(".flash")).ToHaveTextAsync("Removed: the address may be mailed again.");
        await page.FillAsync("#email", "no.mail@example.com");
        await page.ClickAsync("#search button");
        await Expect(page.Locator("#none")).ToHaveTextAsync("Not suppressed: this address can be mailed.");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= Phone);
    }

    [Theory]
    [InlineData(Laptop)]
    [InlineData(Phone)]
    public async Task Marketer_EditsScoringRulesAndThresholds_SeesWhatTheyWouldDoToTodaysLeads_AndAnErrorAtItsField(int width)
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.App.QuietDemoSequencesAsync();
        await s.CreateUserAsync(Marketer, "Marketer");
        var ada = await s.App.CreateLeadAsync(new { email = "ada@example.com" });
        var bob = await s.App.CreateLeadAsync(new { email = "bob@example.com" });
        var events = new[] { "ada@example.com", "ada@example.com", "bob@example.com" }.Select(email => new { email, type = "webinar_attended" }).ToArray();
        (await s.App.Api().PostAsJsonAsync("/api/v1/events", new { events })).EnsureSuccessStatusCode();
        await s.App.WaitForKindAsync(ada["id"]!.GetValue<string>(), "event", count: 2);
        await s.App.WaitForKindAsync(bob["id"]!.GetValue<string>(), "event");

        var page = await s.SignInAsync(Marketer, width: width, height: 800);
        await page.GotoAsync(s.Url("/scoring"));
        await Expect(page.Locator("#rule-0-event")).ToHaveValueAsync("email_opened"); // the demo's rules, as rows
        await page.ClickAsync("#add-rule");
        var row = await page.Locator("#rules tbody tr").CountAsync() - 1;
        await page.FillAsync($"#rule-{row}-event", "webinar_attended");
        await page.FillAsync($"#rule-{row}-points", "15");
        await page.ClickAsync("#preview-scoring");
        await Expect(page.Locator("li[data-preview-rule=webinar_attended]")).ToContainTextAsync("3 time(s) for 2 lead(s) in the last 30 days, 45 points in all at 15 each");
        await Expect(page.Locator("li[data-preview-threshold='Lead']")).ToContainTextAsync("already have a score of 25 or more: they move to Marketing qualified");
        await AdminSession.AssertFitsAsync(page, width);

        // A threshold that moves leads backwards is refused at its field, and nothing is stored.
        await page.SelectOptionAsync("#threshold-0-stage", new SelectOptionValue { Label = "Lead" });
        await page.ClickAsync("#save-scoring");
        await Expect(page.Locator(".field-error[data-field='thresholds[0].stage']")).ToContainTextAsync("only moves leads forward");
        await Expect(page.Locator($"#rule-{row}-event")).ToHaveValueAsync("webinar_attended"); // nothing typed is lost
        Assert.DoesNotContain("webinar_attended", (await s.App.Api().GetStringAsync("/api/v1/scoring")));

        await page.SelectOptionAsync("#threshold-0-stage", new SelectOptionValue { Label = "Sales qualified" });
        await page.ClickAsync("#save-scoring");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Scoring saved");
        var stored = (await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/scoring"))!;
        Assert.Contains(stored["rules"]!.AsArray(), r => r!["event"]!.GetValue<string>() == "webinar_attended" && r["points"]!.GetValue<int>() == 15);
        Assert.Equal("sql", stored["thresholds"]![0]!["stage"]!.GetValue<string>());
        await AdminSession.AssertFitsAsync(page, width);
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task Marketer_BuildsBranchAndExitConditionsWithoutJson_RenamesAStepAndItsTargetsFollow_SplitsAnABTestByWeight_AndClicksTheFlow()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.CreateUserAsync(Marketer, "Marketer");
        var page = await s.SignInAsync(Marketer, width: Laptop);
        await page.GotoAsync(s.Url("/sequences"));
        await page.FillAsync("#key", "cond-builder");
        await page.ClickAsync("button:has-text('Create')");
        await page.SelectOptionAsync("#trigger-type", "manual");
        await page.SelectOptionAsync("#new-type", "branch");
        await page.ClickAsync("button:has-text('Add step')");
        await page.SelectOptionAsync("#new-type", "exit");
        await page.ClickAsync("button:has-text('Add step')");

        // The branch: opened (step email-1, within 2 days) AND (tag vip OR score at least 50), no JSON typed.
        await Expect(page.Locator("#step-1-if")).ToBeHiddenAsync();
        var root = page.Locator("#step-1-condition .cond-builder");
        await root.Locator(".cond-group[data-path='steps[1].if'] > .row").Last.Locator("button:has-text('+ group')").ClickAsync();
        var group = root.Locator(".cond-group[data-path='steps[1].if.of[1]']");
        await group.Locator("input[aria-label=tag]").FillAsync("vip");
        await group.Locator("> .row").Last.Locator("button:has-text('+ condition')").ClickAsync();
        await group.Locator(".cond[data-path='steps[1].if.of[1].of[1]'] select[aria-label='condition type']").SelectOptionAsync("score_at_least");
        await group.Locator(".cond[data-path='steps[1].if.of[1].of[1]'] input[aria-label=score]").FillAsync("50");
        await root.Locator(".cond[data-path='steps[1].if.of[0]'] select[aria-label='of step']").SelectOptionAsync("email-1");
        await page.SelectOptionAsync("#step-1-then", "email-1");
        await page.SelectOptionAsync("#step-1-else", "email-1");

        // An exit condition from the same builder; a tag left blank is named at its condition.
        var exits = page.Locator("#exit-conditions .cond-builder");
        await exits.Locator("button:has-text('+ condition')").ClickAsync();
        await Expect(exits.Locator(".field-error[data-field='exitWhen[0].tag']")).ToHaveTextAsync("tag: a tag name is required");
        await exits.Locator(".cond[data-path='exitWhen[0]'] input[aria-label=tag]").FillAsync("customer");
        await Expect(exits.Locator(".field-error")).ToHaveCountAsync(0);

        // Renaming the email step: the branch's targets and its condition follow.
        await page.FillAsync("#step-0-id", "welcome");
        await page.Locator("#step-0-id").DispatchEventAsync("change");
        await Expect(page.Locator("#step-1-then")).ToHaveValueAsync("welcome");
        await Expect(page.Locator("#step-1-else")).ToHaveValueAsync("welcome");
        await Expect(root.Locator(".cond[data-path='steps[1].if.of[0]'] select[aria-label='of step']")).ToHaveValueAsync("welcome");

        // A/B split: a template picker and a weight per variant; a sum other than 100 is named at the split.
        await page.ClickAsync("#step-0-split");
        await Expect(page.Locator("#step-0-variant-0-weight")).ToHaveValueAsync("50");
        var templates = await page.Locator("#step-0-variant-0-template option").AllTextContentsAsync();
        await page.SelectOptionAsync("#step-0-variant-1-template", templates.Last(t => t.Length > 0));
        await page.FillAsync("#step-0-variant-1-weight", "40");
        await Expect(page.Locator("#step-0-variant-total")).ToHaveTextAsync("Total: 90% (must be 100)");
        await page.ClickAsync("#publish");
        await Expect(page.Locator("#errors")).ToContainTextAsync("variant weights must be positive and sum to 100");
        await page.FillAsync("#step-0-variant-1-weight", "50");
        await page.SelectOptionAsync("#step-1-then", "exit-1"); // back to the email without a wait would loop (refused)
        await page.SelectOptionAsync("#step-1-else", "exit-1");
        await page.ClickAsync("#publish");
        await Expect(page.Locator(".flash")).ToContainTextAsync("Published cond-builder");

        var stored = (await s.App.Api().GetFromJsonAsync<JsonObject>("/api/v1/sequences/cond-builder"))!;
        var ifNode = stored["steps"]![1]!["if"]!;
        Assert.Equal("all", ifNode["type"]!.GetValue<string>());
        Assert.Equal("welcome", ifNode["of"]![0]!["step"]!.GetValue<string>());
        Assert.Equal("P2D", ifNode["of"]![0]!["within"]!.GetValue<string>());
        Assert.Equal(50, ifNode["of"]![1]!["of"]![1]!["score"]!.GetValue<int>());
        Assert.Equal(2, stored["steps"]![0]!["variants"]!.AsArray().Count);
        Assert.Contains(stored["exitWhen"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "has_tag" && c["tag"]!.GetValue<string>() == "customer");

        // The flow: branches read yes / no, and a box opens its step's editor.
        await Expect(page.Locator(".flow-label[data-kind=then]")).ToHaveTextAsync("yes");
        await Expect(page.Locator(".flow-label[data-kind=else]")).ToHaveTextAsync("no");
        // Every line of text stays inside its box, the branch's long condition included.
        var overflowing = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('a.flow-step')].flatMap(a => {
                const box = a.querySelector('rect').getBBox();
                return [...a.querySelectorAll('text')].filter(t => { const b = t.getBBox(); return b.x + b.width > box.x + box.width; })
                    .map(t => a.dataset.step + ': ' + t.textContent);
            })
            """);
        Assert.Empty(overflowing);
        await page.Locator("a.flow-step[data-step='branch-1']").ClickAsync();
        await Expect(page.Locator("#step-1")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("focused"));
        await Expect(page.Locator("#step-1-id")).ToBeFocusedAsync();
        Assert.Empty(s.Dialogs);
    }
}
