using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using NurtureEngine.ApiKeys;

namespace NurtureEngine.Web.Api;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary><c>Authorization: Bearer &lt;api key&gt;</c>, checked against the stored SHA-256 hashes.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public new const string Scheme = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 200) return AuthenticateResult.Fail("invalid API key");
        var found = await keys.FindAsync(key, Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("invalid API key");
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, $"api-key:{found.Name}"), new Claim("api_key_id", found.Id.ToString())], Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status401Unauthorized, "Unauthorized", "A valid API key is required: Authorization: Bearer <api key>.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, "Forbidden", "This API key may not do that.");
}
