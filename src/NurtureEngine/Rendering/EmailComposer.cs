using System.Net;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Settings;
using NurtureEngine.Templates;
using NurtureEngine.Tracking;

namespace NurtureEngine.Rendering;

public sealed record ComposedEmail(string Subject, string Html, string Text, List<string> Links);

/// <summary>
/// Renders a template version for a lead exactly as it is sent: layout, HTML escaping, and for
/// marketing email the click-tracked links, the open pixel and the unsubscribe footer with the
/// sender's postal address (CAN-SPAM, RFC 8058 companion).
/// </summary>
public sealed class EmailComposer(NurtureDbContext db, TemplateRenderer renderer, PublicUrls urls, InstallationSettings settings, TimeProvider clock)
{
    public async Task<ComposedEmail> ComposeAsync(TemplateVersion version, Lead lead, Guid messageId, bool marketing, CancellationToken ct)
    {
        if (!_stageKeys.TryGetValue(lead.StageId, out var keys))
            _stageKeys[lead.StageId] = keys = await db.Stages.Where(s => s.Id == lead.StageId).Select(s => new StageKeys(s.Pipeline.Key, s.Key)).FirstOrDefaultAsync(ct);
        var sender = settings.Nurture.Sender;
        var unsubscribeUrl = urls.Unsubscribe(messageId);
        var model = TemplateModel.For(lead, keys?.Key, keys?.Pipeline, sender, new TemplateModel.Links(unsubscribeUrl, unsubscribeUrl), clock.GetUtcNow());

        // An unsaved draft (id 0) is parsed afresh; saved versions are immutable and cached.
        long? cacheKey = version.Id == 0 ? null : version.Id;
        var subject = HeaderText.OneLine(renderer.Render(cacheKey, "subject", version.Subject, model, escapeHtml: false));
        var html = renderer.Render(cacheKey, "html", version.Html, model, escapeHtml: true);
        if (version.Layout is { } layoutKey && await LatestVersionAsync(layoutKey, ct) is { } layout)
        {
            model["content"] = new RawHtml(html);
            html = renderer.Render(layout.Id, "html", layout.Html, model, escapeHtml: true);
        }
        var text = version.Text is { Length: > 0 } t ? renderer.Render(cacheKey, "text", t, model, escapeHtml: false) : HtmlToText.Convert(html);
        if (!marketing) return new ComposedEmail(subject, EmailInliner.Inline(html), text, []);

        var (tracked, links) = LinkTracker.Rewrite(html, i => urls.Click(messageId, i), target => target == unsubscribeUrl);
        var footer = $"""
            <div style="margin-top:32px;padding-top:16px;border-top:1px solid #ddd;font-size:12px;color:#666;font-family:sans-serif">
            {WebUtility.HtmlEncode(sender.Name)} · {WebUtility.HtmlEncode(sender.PostalAddress)}<br>
            <a href="{WebUtility.HtmlEncode(unsubscribeUrl)}" style="color:#666">Unsubscribe or manage your preferences</a>
            </div><img src="{WebUtility.HtmlEncode(urls.Open(messageId))}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">
            """;
        tracked = InsertBeforeBodyEnd(tracked, footer);
        text = text.TrimEnd() + $"\n\n--\n{sender.Name}, {sender.PostalAddress}\nUnsubscribe: {unsubscribeUrl}\n";
        return new ComposedEmail(subject, EmailInliner.Inline(tracked), text, links);
    }

    /// <summary>The template's current version; remembered for this unit of work (a batch composes many emails from few templates).</summary>
    public async Task<TemplateVersion?> LatestVersionAsync(string templateKey, CancellationToken ct)
    {
        if (_latest.TryGetValue(templateKey, out var known)) return known;
        var version = await db.TemplateVersions.AsNoTracking()
            .Where(v => db.Templates.Any(t => t.Key == templateKey && t.Id == v.TemplateId && t.CurrentVersion == v.Version))
            .FirstOrDefaultAsync(ct);
        if (version is not null) _latest[templateKey] = version;
        return version;
    }

    private readonly Dictionary<string, TemplateVersion> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<long, StageKeys?> _stageKeys = [];

    private sealed record StageKeys(string Pipeline, string Key);

    private static string InsertBeforeBodyEnd(string html, string fragment)
    {
        var at = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? html + fragment : html.Insert(at, fragment);
    }
}
