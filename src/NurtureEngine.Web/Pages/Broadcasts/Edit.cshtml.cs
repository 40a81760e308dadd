using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Broadcasts;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Sequences;
using NurtureEngine.Templates;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Broadcasts;

/// <summary>
/// Writes a broadcast: name, template (with a preview), audience (a segment, or a filter) with its live count,
/// topic, schedule in the viewer's zone or each lead's, and an optional A/B test; test-sends it to the
/// signed-in user; saves it as a draft, schedules it or sends it now.
/// </summary>
public sealed class EditModel(BroadcastService broadcasts, TemplateService templates, NurtureEngine.Segments.SegmentService segments,
    TemplateTestMailer tester, ViewerClock viewer) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Key { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Template { get; set; }
    [BindProperty] public string Audience { get; set; } = "segment";
    [BindProperty] public string? Segment { get; set; }
    [BindProperty] public string? Filter { get; set; }
    [BindProperty] public string? Topic { get; set; }
    [BindProperty] public DateTime? SendAt { get; set; }
    [BindProperty] public bool LocalTime { get; set; }
    [BindProperty] public bool AbEnabled { get; set; }
    [BindProperty] public string? VariantTemplate { get; set; }
    [BindProperty] public int SamplePercent { get; set; } = 20;
    [BindProperty] public string WinnerBy { get; set; } = NurtureEngine.Broadcasts.WinnerBy.Clicks;
    [BindProperty] public int DecideAfterHours { get; set; } = 4;

    public bool Exists { get; private set; }
    public BroadcastStatus? Status { get; private set; }
    public int? AudienceCount { get; private set; }
    public PreviewDto? Preview { get; private set; }
    public string ZoneName { get; private set; } = "UTC";
    public IReadOnlyList<TemplateDto> Templates { get; private set; } = [];
    public IReadOnlyList<NurtureEngine.Segments.SegmentDto> Segments { get; private set; } = [];
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);
    public bool Editable => Status is null or BroadcastStatus.Draft or BroadcastStatus.Scheduled;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Key is not null)
        {
            BroadcastDto b;
            try { b = await broadcasts.GetAsync(Key, ct); }
            catch (NotFoundException) { return NotFound(); }
            Exists = true;
            Status = b.Status;
            Name = b.Name;
            Template = b.Template;
            Audience = b.Filter is null ? "segment" : "filter";
            Segment = b.Segment;
            Filter = b.Filter is null ? null : JsonSerializer.Serialize(b.Filter, Json.Options);
            Topic = b.Topic;
            LocalTime = b.LocalTime;
            if (b.SendAt is { } at) SendAt = b.LocalTime ? LocalSendTime.WallClock(at) : TimeZoneInfo.ConvertTime(at, await viewer.ZoneAsync()).DateTime;
            if (b.AbTest is { } ab)
            {
                AbEnabled = true;
                VariantTemplate = ab.Variants?.Select(v => v.Template).FirstOrDefault(t => t != b.Template);
                SamplePercent = ab.SamplePercent ?? 20;
                WinnerBy = ab.WinnerBy ?? WinnerBy;
                DecideAfterHours = (int)Math.Max(1, (Iso8601Duration.TryParse(ab.DecideAfter) ?? TimeSpan.FromHours(4)).TotalHours);
            }
            if (!Editable) return RedirectToPage("Report", new { key = Key });
        }
        await LoadAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostSaveAsync(CancellationToken ct) => SaveAsync(sendNow: false, ct);

    public Task<IActionResult> OnPostSendAsync(CancellationToken ct) => SaveAsync(sendNow: true, ct);

    private async Task<IActionResult> SaveAsync(bool sendNow, CancellationToken ct)
    {
        try
        {
            var key = Key?.Trim() ?? "";
            var definition = await DefinitionAsync();
            if (sendNow) definition.SendAt = null;
            var (saved, created) = await broadcasts.PutAsync(key, definition, ct);
            if (sendNow)
            {
                saved = await broadcasts.SendAsync(key, ct);
                TempData["Flash"] = $"\"{saved.Name}\" is sending to {saved.Audience} lead(s).";
                return RedirectToPage("Report", new { key });
            }
            TempData["Flash"] = saved.Status == BroadcastStatus.Scheduled
                ? $"\"{saved.Name}\" {(created ? "created and " : "")}scheduled."
                : $"\"{saved.Name}\" saved as a draft.";
            return RedirectToPage(new { key });
        }
        catch (ValidationException e) { AddErrors(e); }
        catch (ConflictException e) { Errors["status"] = e.Message; }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCountAsync(CancellationToken ct)
    {
        try { AudienceCount = await broadcasts.CountAudienceAsync(await DefinitionAsync(), ct); }
        catch (ValidationException e) { AddErrors(e); }
        if (Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal))
            return new JsonResult(new { audience = AudienceCount, errors = Errors });
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>The chosen template, rendered for the signed-in user as the lead, sent to them now (not through the outbox).</summary>
    public async Task<IActionResult> OnPostTestSendAsync(CancellationToken ct)
    {
        var to = User.Identity?.Name ?? "";
        try
        {
            if (await templates.GetAsync(Template ?? "", ct) is not { } t) throw new ValidationException("template", "choose a template");
            var result = await tester.SendAsync(new TemplateInput { Name = t.Name, Subject = t.Subject, Html = t.Html, Text = t.Text, Layout = t.Layout },
                new PreviewInput { Lead = new LeadInput { Email = to, FirstName = to.Split('@')[0] } }, to, ct);
            if (result.Outcome == NurtureEngine.Mail.DeliveryOutcome.Sent) TempData["Flash"] = $"Test email sent to {to}.";
            else Errors["test"] = $"The test email was not accepted: {result.Reply}";
        }
        catch (ValidationException e) { AddErrors(e); }
        await LoadAsync(ct);
        return Page();
    }

    private async Task<BroadcastDefinition> DefinitionAsync()
    {
        Condition? filter = null;
        if (Audience == "filter")
        {
            try { filter = JsonSerializer.Deserialize<Condition>(Filter ?? "", Json.Options); }
            catch (JsonException e) { throw new ValidationException("filter", JsonProblem.Describe(e)); }
            if (filter is null) throw new ValidationException("filter", "a condition is required");
        }
        DateTimeOffset? sendAt = SendAt is not { } local ? null
            : LocalTime ? new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeSpan.Zero)
            : await viewer.FromLocalAsync(local);
        return new BroadcastDefinition
        {
            Name = Name?.Trim(), Template = Template, Segment = Audience == "segment" ? Segment : null, Filter = filter,
            Topic = string.IsNullOrWhiteSpace(Topic) ? null : Topic.Trim(), SendAt = sendAt, LocalTime = LocalTime,
            AbTest = !AbEnabled ? null : new AbTest
            {
                Variants = [new AbVariant { Template = Template }, new AbVariant { Template = VariantTemplate }],
                SamplePercent = SamplePercent, WinnerBy = WinnerBy, DecideAfter = $"PT{DecideAfterHours}H",
            },
        };
    }

    private void AddErrors(ValidationException e)
    {
        foreach (var (field, messages) in e.Errors) Errors[field] = string.Join("; ", messages);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Templates = await templates.ListAsync(ct);
        Segments = await segments.ListAsync(ct);
        ZoneName = await viewer.ZoneNameAsync();
        if (Key is not null && Status is null)
        {
            try { Status = (await broadcasts.GetAsync(Key, ct)).Status; Exists = true; }
            catch (NotFoundException) { }
        }
        Template ??= Templates.FirstOrDefault()?.Key;
        if (Template is not null && Templates.Any(t => t.Key == Template))
        {
            var to = User.Identity?.Name ?? "you@example.com";
            try
            {
                var t = Templates.First(x => x.Key == Template);
                Preview = await templates.PreviewDraftAsync(new TemplateInput { Name = t.Name, Subject = t.Subject, Html = t.Html, Text = t.Text, Layout = t.Layout },
                    new PreviewInput { Lead = new LeadInput { Email = to, FirstName = to.Split('@')[0] } }, ct);
            }
            catch (ValidationException e) { AddErrors(e); }
        }
    }
}
