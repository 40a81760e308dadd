using System.Net;
using NurtureEngine.Leads;
using NurtureEngine.Preferences;
using NurtureEngine.Tracking;
using NurtureEngine.Web.Hosting;

namespace NurtureEngine.Web.Tracking;

/// <summary>
/// Public engagement endpoints, authorised only by their signed token: the open pixel, the click
/// redirect (to the stored link only) and unsubscribe (page + RFC 8058 one-click POST, which needs
/// no cookie, no antiforgery token and no redirect).
/// </summary>
public static partial class TrackingEndpoints
{
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static void MapNurtureTracking(this WebApplication app)
    {
        var group = app.MapGroup("").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimitExtensions.Public);

        group.MapGet("/t/o/{token}", async (string token, HttpContext http, TrackingService tracking, ILoggerFactory logs) =>
        {
            try { await tracking.RecordOpenAsync(token, http.Request.Headers.UserAgent.ToString(), http.RequestAborted); }
            catch (Exception e) when (e is not OperationCanceledException) { LogOpenFailed(logs.CreateLogger("Tracking"), e); }
            http.Response.Headers.CacheControl = "no-store, no-cache, must-revalidate, private";
            return Results.File(Pixel, "image/gif");
        });

        group.MapGet("/t/c/{token}", async (string token, TrackingService tracking, Forms.VisitorLinks visitors, CancellationToken ct) =>
            await tracking.RecordClickAsync(token, ct) is { } target ? Results.Redirect(visitors.WithVisitorToken(target.Url, target.LeadId)) : Results.NotFound());

        group.MapGet("/u/{token}", async (string token, TrackingService tracking, PreferenceService preferences, CancellationToken ct) =>
        {
            if (await tracking.FindForUnsubscribeAsync(token, ct) is not { } found) return Results.NotFound();
            return Html(UnsubscribePage(found.Lead, token, done: false, await preferences.ChoicesAsync(found.Lead.Id, ct)));
        });

        // Topics: the form lists every topic; the checked ones are those the lead stays in.
        group.MapPost("/u/{token}/preferences", async (string token, HttpRequest request, TrackingService tracking, PreferenceService preferences, CancellationToken ct) =>
        {
            if (await tracking.FindForUnsubscribeAsync(token, ct) is not { } found || !request.HasFormContentType) return Results.NotFound();
            var form = await request.ReadFormAsync(ct);
            await preferences.SetAsync(found.Lead, form["topic"].Where(t => t is not null).Select(t => t!).ToHashSet(), ct);
            return Html(UnsubscribePage(found.Lead, token, done: false, await preferences.ChoicesAsync(found.Lead.Id, ct), saved: true));
        });

        group.MapPost("/u/{token}", async (string token, HttpRequest request, TrackingService tracking, CancellationToken ct) =>
        {
            var oneClick = request.HasFormContentType && (await request.ReadFormAsync(ct))["List-Unsubscribe"] == "One-Click";
            if (!await tracking.UnsubscribeAsync(token, oneClick ? "one-click (RFC 8058)" : "unsubscribe page", ct)) return Results.NotFound();
            var found = await tracking.FindForUnsubscribeAsync(token, ct);
            return Html(UnsubscribePage(found!.Value.Lead, token, done: true, []));
        });

        group.MapPost("/u/{token}/resubscribe", async (string token, TrackingService tracking, CancellationToken ct) =>
        {
            if (!await tracking.ResubscribeAsync(token, ct)) return Results.NotFound();
            var found = await tracking.FindForUnsubscribeAsync(token, ct);
            return Html(UnsubscribePage(found!.Value.Lead, token, done: false, []));
        });
    }

    private static IResult Html(string body) => Results.Content(body, "text/html; charset=utf-8");

    private static string UnsubscribePage(Lead lead, string token, bool done, IReadOnlyList<TopicChoice> topics, bool saved = false)
    {
        var email = WebUtility.HtmlEncode(lead.Email);
        var t = WebUtility.UrlEncode(token);
        var content = lead.Status == LeadStatus.Unsubscribed
            ? $"""
               <h1>{(done ? "You are unsubscribed" : "You are not subscribed")}</h1>
               <p>{email} will receive no more marketing email from us.</p>
               <form method="post" action="/u/{t}/resubscribe"><button type="submit">Subscribe again</button></form>
               """
            : $"""
               <h1>Unsubscribe</h1>
               <p>Stop all marketing email to {email}?</p>
               <form method="post" action="/u/{t}"><button type="submit">Unsubscribe from all</button></form>
               {TopicsForm(t, topics, saved)}
               """;
        return $"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Email preferences</title>
            <style>body{"{"}font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933{"}"}button{"{"}padding:.6rem 1.2rem;font-size:1rem{"}"}</style>
            </head><body>{content}</body></html>
            """;
    }

    private static string TopicsForm(string token, IReadOnlyList<TopicChoice> topics, bool saved)
    {
        if (topics.Count == 0) return "";
        var boxes = string.Concat(topics.Select(c =>
            $"""<p><label><input type="checkbox" name="topic" value="{WebUtility.HtmlEncode(c.Topic)}"{(c.Subscribed ? " checked" : "")}> {WebUtility.HtmlEncode(c.Topic)} <small>({WebUtility.HtmlEncode(c.Name)})</small></label></p>"""));
        return $"""
            <h2>Or choose what you receive</h2>
            {(saved ? "<p role=\"status\"><strong>Your preferences are saved.</strong></p>" : "")}
            <form method="post" action="/u/{token}/preferences">{boxes}<button type="submit">Save preferences</button></form>
            """;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording an open failed; the pixel is served anyway")]
    static partial void LogOpenFailed(ILogger logger, Exception e);
}
