using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Timeline;

namespace NurtureEngine.Website;

/// <summary>Configuration section <c>Nurture:Tracking</c>.</summary>
public sealed class WebsiteTrackingOptions
{
    public const string Section = "Nurture:Tracking";

    /// <summary>How long page views of a visitor not (yet) known as a lead are kept.</summary>
    [Range(1, 3650)] public int AnonymousDays { get; set; } = 30;
    /// <summary>Origins of the sites that run nurture.js: a tracked email link to them carries a signed visitor token (<c>nv=</c>).</summary>
    public List<string> Sites { get; set; } = [];
}

/// <summary>A beacon from nurture.js: the page, and the first-party visitor id the script keeps on the site.</summary>
public sealed record PageViewInput(string? Url, string? Title, string? Referrer, string? Visitor);

/// <summary>
/// Website behaviour (API.md "Website behaviour"): a page view of a known visitor is a <c>page_viewed</c>
/// event of its lead (scoring, triggers, conditions); of an unknown one it is kept anonymously until the
/// visitor is identified (form submission, tracked email link), then it joins the lead's timeline.
/// </summary>
public sealed partial class WebsiteTracker(NurtureDbContext db, UnitOfWork work, TimelineWriter timeline, EngagementRecorder engagement,
    IOptions<WebsiteTrackingOptions> options, TimeProvider clock)
{
    [GeneratedRegex("^[A-Za-z0-9_-]{16,64}$")] private static partial Regex VisitorIdRegex();

    public static bool IsVisitorId(string? id) => id is not null && VisitorIdRegex().IsMatch(id);

    /// <summary>Null when the beacon is not a page view we can keep (a bad URL or visitor id): it is ignored.</summary>
    public static (string Url, string Path, string? Title, string? Referrer)? Clean(PageViewInput input)
    {
        if (!IsVisitorId(input.Visitor) || input.Url is not { Length: <= 2000 } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")) return null;
        var title = input.Title is { Length: > 0 } t ? OneLine(t.Length > 300 ? t[..300] : t) : null;
        var referrer = input.Referrer is { Length: > 0 and <= 2000 } r && Uri.TryCreate(r, UriKind.Absolute, out _) ? r : null;
        return (url, uri.AbsolutePath, title, referrer);
    }

    public Task RecordAsync(PageViewInput input, Guid? identifiedLead, CancellationToken ct) => RecordManyAsync([(input, identifiedLead)], ct);

    /// <summary>
    /// Many beacons in one transaction (<see cref="PageViewBatcher"/>): the leads of known visitors are looked up in one
    /// query and locked in id order in one statement, then each view is recorded as alone, in arrival order.
    /// </summary>
    public Task RecordManyAsync(IReadOnlyList<(PageViewInput Input, Guid? IdentifiedLead)> views, CancellationToken ct) => work.RunAsync(async c =>
    {
        var visitors = views.Where(v => v.IdentifiedLead is null).Select(v => v.Input.Visitor).OfType<string>().Distinct().ToList();
        var known = visitors.Count == 0 ? [] : await db.Set<Visitor>().Where(v => visitors.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.LeadId, c);
        var ids = known.Values.Concat(views.Select(v => v.IdentifiedLead).OfType<Guid>()).Distinct().ToList();
        var leads = ids.Count == 0 ? [] : await db.Leads.Where(l => ids.Contains(l.Id)).OrderBy(l => l.Id).ForUpdate().ToDictionaryAsync(l => l.Id, c);
        foreach (var (input, identifiedLead) in views)
            await RecordOneAsync(input, identifiedLead, known, leads, c);
    }, ct);

    private async Task RecordOneAsync(PageViewInput input, Guid? identifiedLead, Dictionary<string, Guid> known, Dictionary<Guid, Lead> leads, CancellationToken ct)
    {
        if (Clean(input) is not { } view) return;
        var now = clock.GetUtcNow();
        Lead? lead = null;
        if (identifiedLead is { } arrived && leads.TryGetValue(arrived, out var found))
        {
            lead = found;
            await db.SaveChangesAsync(ct); // the group's earlier anonymous views of this visitor join the lead too
            await IdentifyAsync(input.Visitor!, lead, ct);
            known[input.Visitor!] = lead.Id;
        }
        else if (known.TryGetValue(input.Visitor!, out var leadId)) leads.TryGetValue(leadId, out lead);
        if (lead is null)
        {
            db.Add(new AnonymousPageView { VisitorId = input.Visitor!, Url = view.Url, Path = view.Path, Title = view.Title, Referrer = view.Referrer, At = now });
            return;
        }
        await RecordForLeadAsync(lead, view.Url, view.Path, view.Title, view.Referrer, now, ct);
    }

    /// <summary>The visitor is this lead: remembered, and its anonymous page views (within the kept days) join the lead's timeline.</summary>
    public async Task IdentifyAsync(string visitorId, Lead lead, CancellationToken ct)
    {
        if (!IsVisitorId(visitorId)) return;
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO nurture.visitor (id, lead_id, identified_at) VALUES ({visitorId}, {lead.Id}, {now})
            ON CONFLICT (id) DO UPDATE SET lead_id = excluded.lead_id, identified_at = excluded.identified_at
            """, ct);
        var since = now.AddDays(-options.Value.AnonymousDays);
        var views = await db.Set<AnonymousPageView>().Where(v => v.VisitorId == visitorId).OrderBy(v => v.At).ToListAsync(ct);
        foreach (var v in views.Where(v => v.At >= since))
            await RecordForLeadAsync(lead, v.Url, v.Path, v.Title, v.Referrer, v.At, ct);
        db.RemoveRange(views);
    }

    /// <summary>Anonymous page views older than the kept days are deleted (the recurring clean-up).</summary>
    public Task<int> ExpireAsync(CancellationToken ct)
    {
        var before = clock.GetUtcNow().AddDays(-options.Value.AnonymousDays);
        return db.Database.ExecuteSqlAsync($"DELETE FROM nurture.anonymous_page_view WHERE at < {before}", ct);
    }

    private async Task RecordForLeadAsync(Lead lead, string url, string path, string? title, string? referrer, DateTimeOffset at, CancellationToken ct)
    {
        var properties = new JsonObject { ["url"] = url, ["path"] = path, ["title"] = title, ["referrer"] = referrer };
        var activity = timeline.Add(lead.Id, ActivityKind.PageViewed, $"Viewed {path}{(title is null ? "" : $" ({title})")}",
            new { type = ActivityKind.PageViewed, properties }, at: at);
        await engagement.RecordAsync(lead, activity, properties, ct);
    }

    private static string OneLine(string s) => string.Concat(s.Select(ch => char.IsControl(ch) ? ' ' : ch)).Trim();
}
