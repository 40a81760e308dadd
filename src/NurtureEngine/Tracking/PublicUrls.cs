using Microsoft.Extensions.Configuration;
using NurtureEngine.Settings;

namespace NurtureEngine.Tracking;

/// <summary>Absolute URLs for links in emails: the tracking domain from the settings (<c>Nurture:PublicBaseUrl</c>), else the app's own URL.</summary>
public sealed class PublicUrls(InstallationSettings settings, IConfiguration configuration, InstallationSecrets secrets)
{
    private readonly string _ownUrl = (configuration["ASPNETCORE_URLS"]?.Split(';').FirstOrDefault()
        ?? configuration["urls"]?.Split(';').FirstOrDefault()
        ?? "http://127.0.0.1:5000").TrimEnd('/');

    /// <summary>The tracking domain in force (Settings page, else configuration), else the app's own URL.</summary>
    public string BaseUrl => settings.Nurture.PublicBaseUrl is { Length: > 0 } configured ? configured.TrimEnd('/') : _ownUrl;

    public string Open(Guid messageId) => $"{BaseUrl}/t/o/{Token(messageId, TrackingKind.Open)}";
    public string Click(Guid messageId, int linkIndex) => $"{BaseUrl}/t/c/{Token(messageId, TrackingKind.Click, linkIndex)}";
    public string Unsubscribe(Guid messageId) => $"{BaseUrl}/u/{Token(messageId, TrackingKind.Unsubscribe)}";
    public string UnsubscribeMailto(Guid messageId, string senderDomain) => $"mailto:unsubscribe+{Token(messageId, TrackingKind.Unsubscribe)}@{senderDomain}";
    /// <summary>VERP: the envelope sender of one message, so its bounce names the message.</summary>
    public string ReturnPath(Guid messageId, string domain) => $"bounces+{Token(messageId, TrackingKind.Bounce)}@{domain}";
    /// <summary>The Reply-To of one message, so a reply names the message it answers.</summary>
    public string ReplyAddress(Guid messageId, string domain) => $"reply+{Token(messageId, TrackingKind.Reply)}@{domain}";

    private string Token(Guid messageId, TrackingKind kind, int link = 0) => new TrackingToken(messageId, kind, link).Sign(secrets.TrackingKey);
}
