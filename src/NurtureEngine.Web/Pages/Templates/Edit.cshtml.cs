using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Templates;

namespace NurtureEngine.Web.Pages.Templates;

/// <summary>
/// The template editor: parse errors at their line and column before anything is saved, a live
/// preview (desktop and mobile width) against a real lead or sample data, and a test send.
/// </summary>
public sealed class EditModel(TemplateService templates, TemplateTestMailer tester, LeadService leads) : PageModel
{
    public sealed record ShownError(string Part, int Line, int Column, string Message, string SourceLine);

    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string? Html { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public string? Layout { get; set; }
    /// <summary>Email of a lead to preview with; empty means sample data.</summary>
    [BindProperty] public string? PreviewLead { get; set; }

    public bool Exists { get; private set; }
    public int Version { get; private set; }
    public IReadOnlyList<string> Layouts { get; private set; } = [];
    public IReadOnlyList<ShownError> ParseErrors { get; private set; } = [];
    public IReadOnlyList<string> OtherErrors { get; private set; } = [];
    public PreviewDto? Preview { get; private set; }

    public static readonly IReadOnlyList<(string Name, string Meaning)> Variables =
    [
        ("lead.first_name", "first name"), ("lead.last_name", "last name"), ("lead.name", "full name, or the email"),
        ("lead.email", "email address"), ("lead.company", "company"), ("lead.job_title", "job title"), ("lead.phone", "phone"),
        ("lead.stage", "stage key"), ("lead.pipeline", "pipeline key"), ("lead.score", "score"), ("lead.deal_value", "deal value"),
        ("lead.tags", "list of tags"), ("lead.attributes.<key>", "a custom attribute"), ("owner.name", "owner's name"),
        ("owner.email", "owner's email"), ("company.name", "your company's name"), ("company.postal_address", "your postal address"),
        ("unsubscribe_url", "unsubscribe link"), ("preferences_url", "preferences link"), ("now", "current time (UTC)"),
        ("content", "in a layout: the email's body"), ("raw <value>", "print trusted HTML without escaping"),
    ];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        if (await templates.GetAsync(Key, ct) is { } t)
        {
            (Exists, Version, Name, Subject, Html, Text, Layout) = (true, t.Version, t.Name, t.Subject, t.Html, t.Text, t.Layout);
            await RenderPreviewAsync(ct);
        }
        else
        {
            Name = Key;
            Subject = "Hello {{ lead.first_name }}";
            Html = "<p>Hi {{ lead.first_name }},</p>\n<p></p>";
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        if (Check()) await RenderPreviewAsync(ct);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        if (Check())
        {
            try
            {
                var (saved, _) = await templates.PutAsync(Key, Draft(), ct);
                TempData["Flash"] = $"Saved as version {saved.Version}.";
                return RedirectToPage(new { key = Key });
            }
            catch (ValidationException e) { OtherErrors = Flatten(e); }
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSendTestAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        if (Check())
        {
            try
            {
                var to = User.Identity?.Name ?? "";
                var result = await tester.SendAsync(Draft(), await PreviewInputAsync(ct), to, ct);
                TempData["Flash"] = result.Outcome == DeliveryOutcome.Sent ? $"Test email sent to {to}." : $"The test email was not sent: {result.Reply}";
                await RenderPreviewAsync(ct);
            }
            catch (ValidationException e) { OtherErrors = Flatten(e); }
        }
        await LoadAsync(ct);
        return Page();
    }

    private TemplateInput Draft() => new()
    {
        Name = string.IsNullOrWhiteSpace(Name) ? Key : Name.Trim(), Subject = Subject, Html = Html,
        Text = string.IsNullOrWhiteSpace(Text) ? null : Text, Layout = string.IsNullOrWhiteSpace(Layout) ? null : Layout,
    };

    /// <summary>Parses every part; false (with the errors shown at line and column) when one does not parse.</summary>
    private bool Check()
    {
        var errors = new List<ShownError>();
        foreach (var (part, source) in new[] { ("subject", Subject), ("html", Html), ("text", Text) })
        {
            var lines = (source ?? "").Replace("\r\n", "\n").Split('\n');
            foreach (var e in TemplateRenderer.Check(part, source))
                errors.Add(new ShownError(part, e.Line, e.Column, e.Message, e.Line - 1 < lines.Length ? lines[e.Line - 1] : ""));
        }
        ParseErrors = errors;
        return errors.Count == 0;
    }

    private async Task RenderPreviewAsync(CancellationToken ct)
    {
        try { Preview = await templates.PreviewDraftAsync(Draft(), await PreviewInputAsync(ct), ct); }
        catch (ValidationException e) { OtherErrors = Flatten(e); }
    }

    private async Task<PreviewInput> PreviewInputAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(PreviewLead)) return new PreviewInput();
        var page = await leads.ListAsync(new LeadQuery(Email: PreviewLead.Trim(), Limit: 1), ct);
        return page.Items.Count == 1 ? new PreviewInput { LeadId = page.Items[0].Id } : throw new ValidationException("previewLead", $"no lead has the email {PreviewLead.Trim()}");
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Layouts = (await templates.ListAsync(ct)).Select(t => t.Key).Where(k => k != Key).ToList();

    private static List<string> Flatten(ValidationException e) => e.Errors.SelectMany(kv => kv.Value.Select(v => $"{kv.Key}: {v}")).ToList();
}
