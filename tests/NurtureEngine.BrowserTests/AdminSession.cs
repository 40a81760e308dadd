using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.BrowserTests;

/// <summary>
/// One test's world: the app on a real socket with a fresh database and no SMTP relay (mail goes to
/// the dev inbox), plus browser contexts for the people in the story. Every page opened records
/// JavaScript dialogs, so a test can prove that no injected script ran. Disposing saves a
/// screenshot of each page under the test output folder.
/// </summary>
public sealed class AdminSession : IAsyncDisposable
{
    public const string AdminEmail = "admin@nurture.test", AdminPassword = "Admin-password-1";
    public const string Password = "Browser-password-1";

    private readonly BrowserFixture _browser;
    private readonly string _name;
    private readonly List<(string Who, IPage Page)> _pages = [];

    public NurtureApp App { get; }
    public List<string> Dialogs { get; } = [];

    private AdminSession(BrowserFixture browser, NurtureApp app, string name) => (_browser, App, _name) = (browser, app, name);

    public static async Task<AdminSession> StartAsync(BrowserFixture browser, IDictionary<string, string?>? settings = null, [CallerMemberName] string name = "")
    {
        var all = new Dictionary<string, string?> { ["Smtp:Host"] = "" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var app = await NurtureApp.StartOnSocketAsync(all);
        return new AdminSession(browser, app, name);
    }

    public string Url(string path) => App.BaseUrl.TrimEnd('/') + path;

    public async Task CreateUserAsync(string email, string role)
    {
        using var scope = App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, role);
    }

    /// <summary>A fresh browser context (own cookies) for one person, signed in.</summary>
    public async Task<IPage> SignInAsync(string email, string password = Password, int width = 1280, int height = 900, string? timeZone = null)
    {
        var page = await OpenAsync(email, width, height, timeZone);
        await page.GotoAsync(Url("/account/login"));
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("header .logout")).ToContainTextAsync(email);
        return page;
    }

    /// <summary>A fresh browser context: a laptop by default; 375 px wide is a phone. The browser's own time zone is UTC unless given.</summary>
    public async Task<IPage> OpenAsync(string who, int width = 1280, int height = 900, string? timeZone = null)
    {
        var context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height }, TimezoneId = timeZone ?? "UTC",
            IsMobile = width < 500, HasTouch = width < 500,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        page.Dialog += async (_, dialog) =>
        {
            lock (Dialogs) Dialogs.Add($"{who}: {dialog.Type} {dialog.Message}");
            await dialog.DismissAsync();
        };
        _pages.Add((who, page));
        return page;
    }

    /// <summary>Reloads until the selector's text contains the value, or fails at the deadline (no fixed sleeps).</summary>
    public static async Task ReloadUntilAsync(IPage page, string selector, string text, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var content = await page.Locator(selector).AllInnerTextsAsync();
            if (content.Any(c => c.Contains(text, StringComparison.Ordinal))) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{text}' did not appear in {selector} on {page.Url} within {seconds} s");
            await Task.Delay(250);
            await page.ReloadAsync();
        }
    }

    /// <summary>Fails when the page scrolls sideways at its width, naming the elements that stick out (outside tables, which scroll in their own box).</summary>
    public static async Task AssertFitsAsync(IPage page, int width)
    {
        var scroll = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        if (scroll <= width) return;
        var wide = await page.EvaluateAsync<string[]>("w => [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('table')).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)", width);
        Assert.Fail($"{page.Url} is {scroll} px wide at {width} px: {string.Join(", ", wide)}");
    }

    public async Task ScreenshotAsync(IPage page, string label)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{_name}-{label}.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (who, page) in _pages)
        {
            try { await ScreenshotAsync(page, who.Split('@')[0]); }
            catch (PlaywrightException) { /* a closed page has nothing to show */ }
            await page.Context.CloseAsync();
        }
        await App.DisposeAsync();
    }
}
