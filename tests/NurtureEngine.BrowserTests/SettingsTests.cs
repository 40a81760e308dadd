using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Playwright;
using NurtureEngine.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NurtureEngine.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class SettingsTests(BrowserFixture browser)
{
    [Fact]
    public async Task Admin_ChangesTimeZoneAndSender_TheNextEmailUsesThem()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var (zone, window) = ZoneWhoseHourIsOpenNow(DateTimeOffset.UtcNow);
        var admin = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);
        await admin.GotoAsync(s.Url("/settings"));

        // A zone that is not IANA is refused, naming the field; nothing is saved.
        await admin.FillAsync("#default-time-zone", "Mars/Olympus");
        await admin.ClickAsync("#delivery button[type=submit]");
        await Expect(admin.Locator("[data-error-for=default-time-zone]")).ToContainTextAsync("IANA");
        await admin.FillAsync("#default-time-zone", zone);
        await admin.ClickAsync("#delivery button[type=submit]");
        await Expect(admin.Locator(".flash")).ToContainTextAsync("Delivery settings saved");
        await Expect(admin.Locator("#default-time-zone")).ToHaveValueAsync(zone);

        await admin.FillAsync("#sender-name", "Acme Growth Team");
        await admin.FillAsync("#sender-email", "growth@acme.example");
        await admin.FillAsync("#sender-reply-to", "sales@acme.example");
        await admin.ClickAsync("#sender button[type=submit]");
        await Expect(admin.Locator(".flash")).ToContainTextAsync("Sender saved");
        await Expect(admin.Locator("#sender-name")).ToHaveValueAsync("Acme Growth Team");

        // A sequence whose send window is open now in that zone and closed now in UTC (the configured default).
        var api = s.App.Api();
        (await api.PutAsJsonAsync("/api/v1/templates/settings-check", new { name = "Settings check", subject = "Hello from the window", html = "<p>Hi {{ lead.first_name }}</p>" })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/api/v1/sequences/settings-check", new
        {
            name = "Settings check",
            trigger = new { type = "tag_added", tag = "settings-check" },
            sendWindow = window,
            steps = new object[] { new { id = "hello", type = "email", template = "settings-check" } },
        })).EnsureSuccessStatusCode();
        await s.App.CreateLeadAsync(new { email = "zone@example.com", firstName = "Zoe", tags = new[] { "settings-check" } });

        await admin.GotoAsync(s.Url("/dev/inbox"));
        await AdminSession.ReloadUntilAsync(admin, "table", "Hello from the window");
        await admin.ClickAsync("a:has-text('Hello from the window')");
        await Expect(admin.Locator("#mail-from")).ToContainTextAsync("Acme Growth Team");
        await Expect(admin.Locator("#mail-from")).ToContainTextAsync("growth@acme.example");
        await Expect(admin.Locator("details pre").Last).ToContainTextAsync("<sales@acme.example>");
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task SmtpTestSend_ReportsTheRelaysAnswer_AndThePasswordIsNeverShownBack()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var admin = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);
        await admin.GotoAsync(s.Url("/settings"));
        var to = $"relay-check-{Guid.NewGuid():N}@example.com";

        await admin.FillAsync("#smtp-host", "127.0.0.1");
        await admin.FillAsync("#smtp-port", TestEnvironment.SmtpPort.ToString(CultureInfo.InvariantCulture));
        await admin.SelectOptionAsync("#smtp-security", "None");
        await admin.FillAsync("#test-to", to);
        await admin.ClickAsync("#test-smtp");
        await Expect(admin.Locator("#test-result")).ToContainTextAsync("The relay accepted the test email");
        var received = await MailSink.WaitForAsync(to);
        Assert.StartsWith("[Test]", received[0].Message.Subject);
        await s.ScreenshotAsync(admin, "smtp-ok");

        await admin.FillAsync("#smtp-port", ClosedPort().ToString(CultureInfo.InvariantCulture));
        await admin.ClickAsync("#test-smtp");
        await Expect(admin.Locator("#test-result")).ToContainTextAsync("The test email was not accepted");
        await Expect(admin.Locator("#test-result")).ToContainTextAsync("refused");
        await s.ScreenshotAsync(admin, "smtp-refused");

        // Saved with a password: the relay is used from the next email on; the password never comes back.
        await admin.FillAsync("#smtp-port", TestEnvironment.SmtpPort.ToString(CultureInfo.InvariantCulture));
        await admin.FillAsync("#smtp-user", "relay-user");
        await admin.FillAsync("#smtp-password", "s3cret-relay-pw");
        await admin.ClickAsync("#smtp button:has-text('Save relay')");
        await Expect(admin.Locator(".flash")).ToContainTextAsync("SMTP relay saved");
        await Expect(admin.Locator("#smtp")).ToContainTextAsync("A password is set");
        Assert.DoesNotContain("s3cret-relay-pw", await admin.ContentAsync());
        Assert.DoesNotContain("s3cret-relay-pw", s.App.Db(db => db.Settings.Single(x => x.Key == "admin_settings").Value));
        Assert.Empty(s.Dialogs);
    }

    [Fact]
    public async Task MarketerAndSalesRep_AreRefusedTheSettings_PageAndHandlers()
    {
        await using var s = await AdminSession.StartAsync(browser);
        foreach (var (email, role) in new[] { ("marketer@nurture.test", "Marketer"), ("rep@nurture.test", "SalesRep") })
        {
            await s.CreateUserAsync(email, role);
            var page = await s.SignInAsync(email);
            await Expect(page.Locator("nav")).Not.ToContainTextAsync("Settings");
            await page.GotoAsync(s.Url("/settings"));
            Assert.Contains("/account/denied", page.Url);
            foreach (var handler in new[] { "Sender", "Smtp", "TestSmtp", "Imap", "Delivery" })
            {
                var response = await page.Context.APIRequest.PostAsync(s.Url($"/settings?handler={handler}"), new() { MaxRedirects = 0 });
                Assert.Equal(302, response.Status);
                Assert.Contains("/account/denied", response.Headers["location"]);
            }
        }
        // A forged POST without the antiforgery token is refused even for an admin.
        var admin = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);
        var forged = await admin.Context.APIRequest.PostAsync(s.Url("/settings?handler=Sender"), new()
        {
            Form = FormWith(admin.Context.APIRequest, ("sender.Name", "Forged"), ("sender.Email", "x@example.com"), ("sender.PostalAddress", "x")),
            MaxRedirects = 0,
        });
        Assert.Equal((int)HttpStatusCode.BadRequest, forged.Status);
        await admin.GotoAsync(s.Url("/settings"));
        await Expect(admin.Locator("#sender-name")).Not.ToHaveValueAsync("Forged");
    }

    [Fact]
    public async Task Admin_ReplaysAWebhookDelivery_TheReceiverGetsItAgain_OthersAreRefused()
    {
        await using var s = await AdminSession.StartAsync(browser, new Dictionary<string, string?> { ["Nurture:Webhooks:AllowPrivateNetworks"] = "true" });
        await using var receiver = new WebhookReceiver();
        (await s.App.Api().PutAsJsonAsync("/api/v1/webhooks/subscriptions/crm", new { url = receiver.Url, events = new[] { "stage_changed" } })).EnsureSuccessStatusCode();
        await s.App.CreateLeadAsync(new { email = "hook@example.com" });
        var first = (await receiver.WaitForAsync(1)).Single();

        await s.CreateUserAsync("marketer@nurture.test", "Marketer");
        var marketer = await s.SignInAsync("marketer@nurture.test");
        var refused = await marketer.Context.APIRequest.PostAsync(s.Url($"/settings/webhooks?handler=Replay&id={first.Headers["X-Nurture-Delivery"]}"), new() { MaxRedirects = 0 });
        Assert.Contains("/account/denied", refused.Headers["location"]);

        var admin = await s.SignInAsync(AdminSession.AdminEmail, AdminSession.AdminPassword);
        await admin.GotoAsync(s.Url("/settings/webhooks"));
        var row = admin.Locator($"tr[data-delivery='{first.Headers["X-Nurture-Delivery"]}']");
        await AdminSession.ReloadUntilAsync(admin, $"tr[data-delivery='{first.Headers["X-Nurture-Delivery"]}'] .status", "succeeded");
        await row.Locator("button:has-text('Replay')").ClickAsync();
        await Expect(admin.Locator(".flash")).ToContainTextAsync("queued to be sent again");
        var again = await receiver.WaitForAsync(2);
        Assert.Equal(first.Body, again[1].Body);
        Assert.Equal(first.Headers["X-Nurture-Delivery"], again[1].Headers["X-Nurture-Delivery"]);
        Assert.Single(receiver.Received.Skip(1)); // the marketer's POST sent nothing
        Assert.Empty(s.Dialogs);
    }

    private static IFormData FormWith(IAPIRequestContext request, params (string Name, string Value)[] fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }

    /// <summary>
    /// A zone where it is now between 02:00 and 22:00, with a window of the local hour ±1 h: open now
    /// there, and closed now in UTC (the zones are 9 h or more away from it).
    /// </summary>
    private static (string Zone, object Window) ZoneWhoseHourIsOpenNow(DateTimeOffset now)
    {
        foreach (var id in new[] { "Pacific/Kiritimati", "Asia/Tokyo" })
        {
            var local = TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(id));
            if (local.Hour is < 2 or >= 22) continue;
            return (id, new { from = local.AddHours(-1).ToString("HH:mm", CultureInfo.InvariantCulture), to = local.AddHours(1).ToString("HH:mm", CultureInfo.InvariantCulture) });
        }
        throw new InvalidOperationException("unreachable: one of the zones is always between 02:00 and 22:00");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
