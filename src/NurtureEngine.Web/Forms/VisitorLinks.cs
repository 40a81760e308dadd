using NurtureEngine.Forms;
using NurtureEngine.Website;

namespace NurtureEngine.Web.Forms;

/// <summary>
/// A tracked email link to one of the sites that run nurture.js (<c>Nurture:Tracking:Sites</c>) arrives with
/// <c>nv=</c>, a signed, 30-day visitor token of the lead: the script hands it back and the visitor becomes
/// the lead. Links to any other site go exactly where the email said.
/// </summary>
public sealed class VisitorLinks(FormTokens tokens, IOptions<WebsiteTrackingOptions> options, TimeProvider clock)
{
    public string WithVisitorToken(string url, Guid leadId)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return url;
        var origin = uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}" : $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        if (!options.Value.Sites.Any(s => string.Equals(s.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))) return url;
        var token = tokens.Visitor(leadId, clock.GetUtcNow().AddDays(30));
        var fragment = uri.Fragment;
        var withoutFragment = fragment.Length > 0 ? url[..url.IndexOf('#')] : url;
        return $"{withoutFragment}{(uri.Query.Length > 0 ? "&" : "?")}nv={token}{fragment}";
    }
}
