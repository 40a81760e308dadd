using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;
using NurtureEngine.Templates;
using NurtureEngine.Tracking;
using NurtureEngine.Web.Tracking;

namespace NurtureEngine.Web.Pages.Templates;

/// <summary>
/// The template editor: a visual block editor and the Scriban code view on the same stored HTML,
/// parse errors at their line and column before anything is saved, a preview (desktop, mobile, dark
/// mode) with the linter's findings against a real lead or sample data, a test send, image upload,
/// and new templates started from the gallery (templates/emails).
/// </summary>
public sealed partial class EditModel(TemplateService templates, TemplateTestMailer tester, LeadService leads, TemplateLinter linter,
    EmailImageStore images, PublicUrls urls, InstallationSettings settings) : PageModel
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
    /// <summary>"visual" or "code": which view the page opens with (the stored template is the same).</summary>
    [BindProperty] public string? EditorMode { get; set; }
    /// <summary>A gallery template (folder under templates/emails) a new template starts from.</summary>
    [BindProperty(SupportsGet = true)] public string? From { get; set; }

    public bool Exists { get; private set; }
    public int Version { get; private set; }
    public IReadOnlyList<string> Layouts { get; private set; } = [];
    public IReadOnlyList<ShownError> ParseErrors { get; private set; } = [];
    public IReadOnlyList<string> OtherErrors { get; private set; } = [];
    public PreviewDto? Preview { get; private set; }
    public LintReport? Lint { get; private set; }
    public string SenderLine => $"{settings.Nurture.Sender.Name} · {settings.Nurture.Sender.PostalAddress}";
    public string AssetsJson { get; private set; } = "[]";

    /// <summary>The preview as a client in dark mode shows it: the stylesheet's dark rules applied.</summary>
    public string DarkPreviewHtml => Preview is null ? "" : DarkScheme().Replace(Preview.Html, "(min-width: 0px)");

    [GeneratedRegex(@"\(\s*prefers-color-scheme\s*:\s*dark\s*\)", RegexOptions.IgnoreCase)] private static partial Regex DarkScheme();

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
            await RenderPreviewAsync(ct, scoreSpam: false);
        }
        else if (TemplateGallery.Find(From) is { } start)
        {
            (Name, Subject, Html, Text, Layout) = (Key, start.Template.Subject, start.Template.Html, start.Template.Text, start.Template.Layout);
            await RenderPreviewAsync(ct, scoreSpam: false);
        }
        else
        {
            Name = Key;
            Subject = "Hello {{ lead.first_name }}";
            Html = "";
            Layout = (await templates.GetAsync(TemplateGallery.DefaultLayout, ct)) is null ? null : TemplateGallery.DefaultLayout;
        }
        EditorMode = TemplateGallery.UsesControlFlow(Html) ? "code" : "visual";
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

    /// <summary>
    /// An image from the visual editor's asset manager (GrapesJS posts multipart "file"); answers
    /// GrapesJS's <c>{ data: [{ src }] }</c>, or 422 problem+json naming the field.
    /// </summary>
    public async Task<IActionResult> OnPostUploadImageAsync(List<IFormFile> file, CancellationToken ct)
    {
        if (file.Count == 0) return UploadProblem("choose an image file");
        var uploaded = new List<object>();
        try
        {
            foreach (var f in file)
            {
                await using var stream = f.OpenReadStream();
                var image = await images.SaveAsync(f.FileName, stream, ct);
                uploaded.Add(Asset(image));
            }
        }
        catch (ValidationException e) { return UploadProblem(string.Join(" ", e.Errors.SelectMany(kv => kv.Value))); }
        return new JsonResult(new { data = uploaded });
    }

    private static ObjectResult UploadProblem(string message) =>
        new(new ValidationProblemDetails(new Dictionary<string, string[]> { ["file"] = [message] }) { Status = 422, Title = "The image was not uploaded" })
        { StatusCode = 422, ContentTypes = { "application/problem+json" } };

    private object Asset(EmailImage image) => new { src = urls.BaseUrl + ImageEndpoints.Path(image.Id), name = image.FileName, type = "image" };

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

    /// <summary>SpamAssassin takes a second or more: it scores on "Check and preview" and test sends, not on opening the page.</summary>
    private async Task RenderPreviewAsync(CancellationToken ct, bool scoreSpam = true)
    {
        try
        {
            var email = await templates.ComposeDraftAsync(Draft(), await PreviewInputAsync(ct), ct);
            Preview = new PreviewDto(email.Subject, email.Html, email.Text);
            Lint = await linter.LintAsync(email, scoreSpam, ct);
        }
        catch (ValidationException e) { OtherErrors = Flatten(e); }
    }

    private async Task<PreviewInput> PreviewInputAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(PreviewLead)) return new PreviewInput();
        var page = await leads.ListAsync(new LeadQuery(Email: PreviewLead.Trim(), Limit: 1), ct);
        return page.Items.Count == 1 ? new PreviewInput { LeadId = page.Items[0].Id } : throw new ValidationException("previewLead", $"no lead has the email {PreviewLead.Trim()}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Layouts = (await templates.ListAsync(ct)).Select(t => t.Key).Where(k => k != Key).ToList();
        AssetsJson = JsonSerializer.Serialize((await images.RecentAsync(100, ct)).Select(Asset));
        EditorMode = EditorMode == "code" ? "code" : "visual";
    }

    private static List<string> Flatten(ValidationException e) => e.Errors.SelectMany(kv => kv.Value.Select(v => $"{kv.Key}: {v}")).ToList();
}
