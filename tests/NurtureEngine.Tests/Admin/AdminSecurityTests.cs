using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.ApiKeys;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Admin;

/// <summary>
/// The admin's defences, through real cookie sessions (HttpClients with their own cookie jars):
/// antiforgery, lockout, the jobs dashboard, security headers, sessions ended by a password change
/// or "sign out everywhere", and API keys revoked at once and stored only hashed.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class AdminSecurityTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AdminPages_ForbidFramingAndSniffing_AndAllowNoInlineScript()
    {
        using var admin = await AdminClient.SignInAsync(_app);
        foreach (var path in new[] { "/account/login", "/", "/leads", "/settings/api-keys" })
        {
            var response = await admin.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", csp);
            var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src"));
            Assert.Equal("script-src 'self'", scriptSrc); // no inline script, no eval, no other origin
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        }
    }

    [Fact]
    public async Task AFormPostedWithoutItsAntiforgeryToken_Is400_AndChangesNothing()
    {
        using var admin = await AdminClient.SignInAsync(_app);
        var before = _app.Db(db => db.ApiKeys.Count());
        var response = await admin.Http.PostAsync("/settings/api-keys?handler=Create", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "forged" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, _app.Db(db => db.ApiKeys.Count()));

        // The same post with the token the page rendered works: the refusal was the token's.
        var genuine = await admin.PostFormAsync("/settings/api-keys", "/settings/api-keys?handler=Create", new() { ["name"] = "genuine" });
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal(before + 1, _app.Db(db => db.ApiKeys.Count()));
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_SoEvenTheRightOneIsRefused()
    {
        await AdminClient.CreateUserAsync(_app, "guessed@nurture.test", "Right-password-1", "SalesRep");
        using var attacker = AdminClient.Anonymous(_app);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await attacker.TrySignInAsync("guessed@nurture.test", $"wrong-guess-{i}");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }
        var right = await attacker.TrySignInAsync("guessed@nurture.test", "Right-password-1");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode); // the form again, not a redirect into the admin
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.Http.GetAsync("/leads")).StatusCode);
    }

    [Fact]
    public async Task TheJobsDashboard_IsRefusedToAnonymousAndToEveryNonAdminRole()
    {
        await AdminClient.CreateUserAsync(_app, "rep@nurture.test", "Rep-password-12", "SalesRep");
        await AdminClient.CreateUserAsync(_app, "marketer@nurture.test", "Marketer-password-1", "Marketer");
        using var anonymous = AdminClient.Anonymous(_app);
        using var rep = await AdminClient.SignInAsync(_app, "rep@nurture.test", "Rep-password-12");
        using var marketer = await AdminClient.SignInAsync(_app, "marketer@nurture.test", "Marketer-password-1");
        using var admin = await AdminClient.SignInAsync(_app);

        foreach (var client in new[] { anonymous, rep, marketer })
        {
            var response = await client.Http.GetAsync("/admin/jobs");
            // Refused before Hangfire runs: a redirect to sign in (anonymous) or to "not allowed" (other roles).
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Matches("/account/(login|denied)", response.Headers.Location!.OriginalString);
            Assert.DoesNotContain("NurtureEngine jobs", await response.Content.ReadAsStringAsync());
        }
        var allowed = await admin.Http.GetAsync("/admin/jobs");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("NurtureEngine jobs", await allowed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChangingThePassword_EndsEveryOtherSession_AndKeepsThisOne()
    {
        await AdminClient.CreateUserAsync(_app, "owner@nurture.test", "First-password-1", "Marketer");
        using var laptop = await AdminClient.SignInAsync(_app, "owner@nurture.test", "First-password-1");
        using var stolen = await AdminClient.SignInAsync(_app, "owner@nurture.test", "First-password-1");
        Assert.Equal(HttpStatusCode.OK, (await stolen.Http.GetAsync("/leads")).StatusCode);

        var changed = await laptop.PostFormAsync("/account/password", "/account/password?handler=Change",
            new() { ["current"] = "First-password-1", ["password"] = "Second-password-2", ["confirm"] = "Second-password-2" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await laptop.Http.GetAsync("/leads")).StatusCode);
        var refused = await stolen.Http.GetAsync("/leads");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/account/login", refused.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        using var again = await AdminClient.SignInAsync(_app, "owner@nurture.test", "Second-password-2");
    }

    [Fact]
    public async Task SigningOutEverywhere_EndsEverySessionOfThatUser_ButNoOneElses()
    {
        await AdminClient.CreateUserAsync(_app, "leaver@nurture.test", "Leaver-password-1", "SalesRep");
        using var phone = await AdminClient.SignInAsync(_app, "leaver@nurture.test", "Leaver-password-1");
        using var desktop = await AdminClient.SignInAsync(_app, "leaver@nurture.test", "Leaver-password-1");
        using var colleague = await AdminClient.SignInAsync(_app);

        var response = await phone.PostFormAsync("/account/password", "/account/password?handler=SignOutEverywhere", []);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await phone.Http.GetAsync("/leads")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await desktop.Http.GetAsync("/leads")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/leads")).StatusCode);
    }

    [Fact]
    public async Task ARevokedApiKey_Is401AtOnce_AndKeysAreStoredOnlyAsHashes()
    {
        using var admin = await AdminClient.SignInAsync(_app);
        var page = await admin.PostFormAsync("/settings/api-keys", "/settings/api-keys?handler=Create", new() { ["name"] = "CRM sync" });
        var key = NewKey().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.StartsWith("ne_", key);

        using var api = _app.Anonymous();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/leads")).StatusCode);

        // Nothing stored anywhere in the key's row holds the key itself: only its SHA-256 and a short prefix.
        var holding = _app.Db(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM nurture.api_key k WHERE k::text LIKE '%' || {key} || '%'").Single());
        Assert.Equal(0, holding);
        var stored = _app.Db(db => db.ApiKeys.AsNoTracking().Single(k => k.Name == "CRM sync"));
        Assert.Equal(ApiKeyService.Hash(key), stored.Hash);
        Assert.True(stored.Prefix.Length <= 8);

        var revoked = await admin.PostFormAsync("/settings/api-keys", $"/settings/api-keys?handler=Revoke&id={stored.Id}", []);
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        var refused = await api.GetAsync("/api/v1/leads");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        // The bootstrap key is untouched.
        Assert.Equal(HttpStatusCode.OK, (await _app.Api().GetAsync("/api/v1/leads")).StatusCode);
    }

    [GeneratedRegex("""<code id="new-key">([^<]+)</code>""")]
    private static partial Regex NewKey();
}
