using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Identity;
using NurtureEngine.Settings;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// Shows times in the viewer's own time zone: the one set on their profile (a user claim), else the
/// installation's default. One per request; the zone is read once.
/// </summary>
public sealed class ViewerClock(IHttpContextAccessor http, UserManager<IdentityUser> users, InstallationSettings settings)
{
    public const string ClaimType = "nurture:time_zone";

    private TimeZoneInfo? _zone;

    public async Task<TimeZoneInfo> ZoneAsync()
    {
        if (_zone is not null) return _zone;
        var id = await SavedZoneAsync(http.HttpContext?.User) ?? settings.Nurture.DefaultTimeZone;
        return _zone = Find(id) ?? TimeZoneInfo.Utc;
    }

    /// <summary>The zone saved on the user's profile, or null.</summary>
    public async Task<string?> SavedZoneAsync(ClaimsPrincipal? principal)
    {
        if (principal is null || await users.GetUserAsync(principal) is not { } user) return null;
        return (await users.GetClaimsAsync(user)).FirstOrDefault(c => c.Type == ClaimType)?.Value;
    }

    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id.Trim()); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
    }

    /// <summary>"2 Dec 2026, 14:05" in the viewer's zone, in a &lt;time&gt; carrying the exact instant.</summary>
    public async Task<IHtmlContent> ShowAsync(DateTimeOffset? at)
    {
        if (at is not { } t) return new HtmlString("—");
        var local = TimeZoneInfo.ConvertTime(t, await ZoneAsync());
        var text = local.ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
        var iso = t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var builder = new HtmlContentBuilder();
        builder.AppendHtml($"<time datetime=\"{iso}\" title=\"{iso}\">");
        builder.Append(text);
        builder.AppendHtml("</time>");
        return builder;
    }

    /// <summary>The zone's name for labels ("Times in Europe/Berlin").</summary>
    public async Task<string> ZoneNameAsync() => (await ZoneAsync()).Id;

    /// <summary>A local wall-clock time typed by the viewer (datetime-local) as an instant.</summary>
    public async Task<DateTimeOffset> FromLocalAsync(DateTime local)
    {
        var zone = await ZoneAsync();
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified)).ToUniversalTime(); // the database stores UTC only
    }
}
