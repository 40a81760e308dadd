using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using NurtureEngine.Common;
using NurtureEngine.Forms;
using NurtureEngine.Tracking;
using NurtureEngine.Web.Api;
using NurtureEngine.Web.Hosting;
using NurtureEngine.Website;

namespace NurtureEngine.Web.Forms;

/// <summary>
/// The public side of lead capture: the hosted form, its embed script, the submission (form-encoded or
/// JSON, CORS only for the form's allowedOrigins), the confirmation link, and the website snippet and beacon.
/// </summary>
public static class PublicFormEndpoints
{
    /// <summary>A transparent 1×1 GIF.</summary>
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static void MapNurtureForms(this WebApplication app)
    {
        var group = app.MapGroup("").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimitExtensions.Public);

        group.MapGet("/f/{key}", async (string key, HttpContext http, FormSubmitter forms, FormTokens tokens, TimeProvider clock, CancellationToken ct) =>
        {
            if (await forms.FindAsync(key, ct) is not { } form) return Results.NotFound();
            await forms.CountViewAsync(form, ct);
            var d = Json.Deserialize<FormDefinition>(form.DefinitionJson);
            http.Response.Headers.CacheControl = "no-store";
            return Html(FormHtml.Page(form.Name, $"<h1>{FormHtml.E(form.Name)}</h1>" + FormHtml.Form(key, d, $"/f/{key}", tokens.Stamp(key, clock.GetUtcNow()))));
        });

        group.MapGet("/f/{key}/embed.js", async (string key, HttpContext http, FormSubmitter forms, FormTokens tokens, PublicUrls urls, TimeProvider clock, CancellationToken ct) =>
        {
            if (await forms.FindAsync(key, ct) is not { } form) return Results.NotFound();
            await forms.CountViewAsync(form, ct);
            var d = Json.Deserialize<FormDefinition>(form.DefinitionJson);
            var action = $"{urls.BaseUrl}/f/{key}";
            http.Response.Headers.CacheControl = "no-store";
            return Results.Content(EmbedScript.For(key, FormHtml.Form(key, d, action, tokens.Stamp(key, clock.GetUtcNow())), action), "text/javascript; charset=utf-8");
        });

        // The plain HTML form's view counter: a pixel in the pasted code, since that form has no script to count it.
        group.MapGet("/f/{key}/view.gif", async (string key, HttpContext http, FormSubmitter forms, CancellationToken ct) =>
        {
            if (await forms.FindAsync(key, ct) is not { } form) return Results.NotFound();
            await forms.CountViewAsync(form, ct);
            http.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(Pixel, "image/gif");
        });

        group.MapMethods("/f/{key}", ["OPTIONS"], async (string key, HttpContext http, FormSubmitter forms, CancellationToken ct) =>
        {
            if (await forms.FindAsync(key, ct) is not { } form) return Results.NotFound();
            if (Cors(http, Json.Deserialize<FormDefinition>(form.DefinitionJson)) is not { } origin || origin.Length == 0) return Results.StatusCode(403);
            http.Response.Headers.AccessControlAllowMethods = "POST";
            http.Response.Headers.AccessControlAllowHeaders = "Content-Type";
            http.Response.Headers.AccessControlMaxAge = "600";
            return Results.NoContent();
        });

        group.MapPost("/f/{key}", Submit).RequireRateLimiting(RateLimitExtensions.FormSubmit);

        group.MapGet("/c/{token}", async (string token, FormSubmitter forms, CancellationToken ct) =>
        {
            var result = await forms.ConfirmAsync(token, ct);
            return result.Outcome switch
            {
                ConfirmOutcome.Invalid => Html(FormHtml.Page("Link not valid", "<h1>This link is not valid</h1><p>Please use the link from your confirmation email.</p>"), 404),
                ConfirmOutcome.Expired => Html(FormHtml.Page("Link expired", "<h1>This confirmation link has expired</h1><p>Please fill in the form again to get a new one.</p>"), 410),
                _ when FormHtml.RedirectsAfterThanks(result.Definition!) is { } redirect => Results.Redirect(redirect),
                _ => Html(FormHtml.ThankYou(result.Definition!, confirmationRequired: false, confirmed: true)),
            };
        });
    }

    public static void MapNurtureWebsiteTracking(this WebApplication app)
    {
        var group = app.MapGroup("/t").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimitExtensions.Public);
        group.MapGet("/nurture.js", (HttpContext http, PublicUrls urls) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Content(WebsiteScript.For(urls.BaseUrl), "text/javascript; charset=utf-8");
        });
        // text/plain (sendBeacon): no preflight, nothing to read back. DNT / Sec-GPC: nothing stored.
        group.MapPost("/p", async (HttpContext http, PageViewBatcher website, FormTokens tokens, TimeProvider clock, CancellationToken ct) =>
        {
            var request = http.Request;
            if (request.Headers["DNT"] == "1" || request.Headers["Sec-GPC"] == "1") return Results.NoContent();
            var body = await JsonBody.ReadAsync<JsonObject>(request, ct);
            string? S(string name) => body[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
            var lead = tokens.ReadVisitor(S("token"), clock.GetUtcNow());
            await website.RecordAsync(new PageViewInput(S("url"), S("title"), S("referrer"), S("visitor")), lead, ct);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> Submit(string key, HttpContext http, FormSubmitter forms, CancellationToken ct)
    {
        if (await forms.FindAsync(key, ct) is not { } form) return Results.NotFound();
        var d = Json.Deserialize<FormDefinition>(form.DefinitionJson);
        var request = http.Request;
        var json = request.HasJsonContentType();
        if (Cors(http, d) is null)
            return json ? Problem(403, "This site may not submit the form", "The request's Origin is not one of the form's allowedOrigins.", null)
                : Html(FormHtml.Page("Not allowed", "<h1>This form cannot be submitted from this site</h1>"), 403);

        Dictionary<string, string?> values;
        if (json)
        {
            var body = await JsonBody.ReadAsync<JsonObject>(request, ct);
            values = Flatten(body);
        }
        else if (request.HasFormContentType)
            values = (await request.ReadFormAsync(ct)).ToDictionary(f => f.Key, f => (string?)f.Value.ToString());
        else return Problem(415, "Unsupported media type", "Send the form as application/x-www-form-urlencoded or application/json.", null);

        var pageUrl = values.GetValueOrDefault(FormHtml.PageUrl) is { Length: > 0 } page ? page : request.Headers.Referer.ToString() is { Length: > 0 } r ? r : null;
        var input = new SubmissionInput(values, values.GetValueOrDefault(FormHtml.Honeypot), values.GetValueOrDefault(FormHtml.Stamp),
            pageUrl, values.GetValueOrDefault(FormHtml.Visitor), http.Connection.RemoteIpAddress?.ToString(), request.Headers.UserAgent.ToString());
        try
        {
            var result = await forms.SubmitAsync(form, input, ct);
            if (json)
                return Results.Ok(new
                {
                    result = result.ConfirmationRequired ? "confirmation_required" : "submitted",
                    message = result.ConfirmationRequired ? "Please check your inbox: we have sent you a confirmation link." : "Thank you: we have received your details.",
                    redirectUrl = result.ConfirmationRequired ? null : d.RedirectUrl,
                    asset = result.ConfirmationRequired ? null : d.Asset,
                });
            if (!result.ConfirmationRequired && FormHtml.RedirectsAfterThanks(d) is { } redirect) return Results.Redirect(redirect);
            return Html(FormHtml.ThankYou(d, result.ConfirmationRequired));
        }
        catch (ValidationException e)
        {
            return json ? Problem(422, "The submission breaks a rule", e.Message, e.Errors) : Rerender(http, form, d, values, e.Errors, null);
        }
        catch (BotSubmissionException e)
        {
            var field = e.Message.StartsWith("honeypot") ? FormHtml.Honeypot : FormHtml.Stamp;
            return json ? Problem(422, "The submission was refused", "The submission looks automated: " + e.Message, new Dictionary<string, string[]> { [field] = [e.Message] })
                : Rerender(http, form, d, values, null, "Your submission could not be accepted. Please check the form and send it again.");
        }
    }

    private static IResult Rerender(HttpContext http, Form form, FormDefinition d, Dictionary<string, string?> values, IDictionary<string, string[]>? errors, string? formError)
    {
        var tokens = http.RequestServices.GetRequiredService<FormTokens>();
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return Html(FormHtml.Page(form.Name, $"<h1>{FormHtml.E(form.Name)}</h1>" + FormHtml.Form(form.Key, d, $"/f/{form.Key}", tokens.Stamp(form.Key, now), values, errors, formError)), 422);
    }

    /// <summary>
    /// The CORS decision: null when the request comes from a site the form does not allow (refused, nothing
    /// stored); "" when it needs no CORS (no Origin, or this app's own origin); else the allowed origin, echoed.
    /// </summary>
    private static string? Cors(HttpContext http, FormDefinition d)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0) return "";
        var own = $"{http.Request.Scheme}://{http.Request.Host}";
        var publicBase = http.RequestServices.GetRequiredService<PublicUrls>().BaseUrl;
        if (string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || publicBase.StartsWith(origin, StringComparison.OrdinalIgnoreCase) && (publicBase.Length == origin.Length || publicBase[origin.Length] == '/'))
            return "";
        if (!(d.AllowedOrigins ?? []).Contains(origin, StringComparer.OrdinalIgnoreCase)) return null;
        http.Response.Headers.AccessControlAllowOrigin = origin;
        http.Response.Headers.Vary = "Origin";
        return origin;
    }

    /// <summary>JSON submissions: top-level values by field name; an <c>attributes</c> object counts as <c>attributes.&lt;key&gt;</c>.</summary>
    private static Dictionary<string, string?> Flatten(JsonObject body)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (name, node) in body)
        {
            if (name == "attributes" && node is JsonObject attributes)
                foreach (var (k, v) in attributes) values[FormRules.AttributePrefix + k] = Text(v, $"attributes.{k}");
            else values[name] = Text(node, name);
        }
        return values;
    }

    private static string? Text(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => v.ToJsonString(),
        _ => throw new ValidationException(field, "must be a string"),
    };

    private static IResult Html(string body, int status = 200) => Results.Content(body, "text/html; charset=utf-8", statusCode: status);

    private static IResult Problem(int status, string title, string detail, IDictionary<string, string[]>? errors) =>
        errors is null ? Results.Problem(detail, statusCode: status, title: title)
            : Results.Problem(new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail });
}
