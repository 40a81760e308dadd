using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// A browser-less admin session: an HttpClient with its own cookie jar that signs in through the
/// real login form and posts forms with the antiforgery token the page rendered, as a browser does.
/// </summary>
public sealed partial class AdminClient(HttpClient http) : IDisposable
{
    public const string AdminEmail = "admin@nurture.test", AdminPassword = "Admin-password-1";

    public HttpClient Http { get; } = http;

    public static AdminClient Anonymous(NurtureApp app) =>
        new(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Signs in with the login form; throws unless it redirects away from the login page.</summary>
    public static async Task<AdminClient> SignInAsync(NurtureApp app, string email = AdminEmail, string password = AdminPassword)
    {
        var client = Anonymous(app);
        var response = await client.TrySignInAsync(email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"sign-in as {email} failed: {(int)response.StatusCode}");
        return client;
    }

    /// <summary>Posts the login form; 302 on success, 200 with the form and an error otherwise.</summary>
    public Task<HttpResponseMessage> TrySignInAsync(string email, string password) =>
        PostFormAsync("/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = password });

    /// <summary>Reads <paramref name="formPage"/> for its antiforgery token, then posts the form to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string formPage, string action, Dictionary<string, string> fields)
    {
        var html = await Http.GetStringAsync(formPage);
        var token = AntiforgeryField().Match(html);
        if (!token.Success) throw new InvalidOperationException($"{formPage} has no antiforgery token");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await Http.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    /// <summary>Creates a user with a role directly through Identity (what the Users page does).</summary>
    public static async Task CreateUserAsync(NurtureApp app, string email, string password, string role)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, role);
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
