using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Forms;
using NurtureEngine.Pipelines;
using NurtureEngine.Templates;
using NurtureEngine.Tracking;
using NurtureEngine.Web.Forms;

namespace NurtureEngine.Web.Pages.Forms;

/// <summary>
/// The form builder (Marketer): fields (name, label, type, required, options), consent text, double opt-in
/// and its template, tags / source / stage, redirect, gated asset and allowed origins; a live preview (the
/// same HTML the public form uses) and the embed code to copy. Without JavaScript the Preview button does it.
/// </summary>
public sealed class EditModel(FormService forms, TemplateService templates, PipelineService pipelines, PublicUrls urls, FormTokens tokens, TimeProvider clock) : PageModel
{
    public const int BlankRows = 3;

    public sealed class FieldRow
    {
        public string? Name { get; set; }
        public string? Label { get; set; }
        public string? Type { get; set; }
        public bool Required { get; set; }
        public string? Options { get; set; }
        /// <summary>What a hidden field carries (e.g. a campaign name).</summary>
        public string? Value { get; set; }
    }

    [BindProperty(SupportsGet = true)] public string? Key { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public List<FieldRow> Fields { get; set; } = [];
    [BindProperty] public string? ConsentText { get; set; }
    [BindProperty] public bool DoubleOptIn { get; set; }
    [BindProperty] public string? ConfirmTemplate { get; set; }
    [BindProperty] public string? Tags { get; set; }
    [BindProperty] public string? Source { get; set; }
    [BindProperty] public string? Pipeline { get; set; }
    [BindProperty] public string? Stage { get; set; }
    [BindProperty] public string? RedirectUrl { get; set; }
    [BindProperty] public string? AssetUrl { get; set; }
    [BindProperty] public string? AssetLabel { get; set; }
    [BindProperty] public string? SubmitLabel { get; set; }
    [BindProperty] public string? AllowedOrigins { get; set; }

    public bool Exists { get; private set; }
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyList<string> TemplateKeys { get; private set; } = [];
    public IReadOnlyList<PipelineDto> LeadPipelines { get; private set; } = [];
    public string Preview { get; private set; } = "";
    public string BaseUrl => urls.BaseUrl;

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Key is not null && await forms.GetAsync(Key, ct) is { } f)
        {
            Exists = true;
            var d = f.Definition;
            Name = d.Name; ConsentText = d.ConsentText; DoubleOptIn = d.DoubleOptIn; ConfirmTemplate = d.ConfirmTemplate;
            Tags = string.Join(", ", d.Tags ?? []); Source = d.Source; Pipeline = d.Pipeline; Stage = d.Stage; RedirectUrl = d.RedirectUrl;
            AssetUrl = d.Asset?.Url; AssetLabel = d.Asset?.Label; SubmitLabel = d.SubmitLabel;
            AllowedOrigins = string.Join("\n", d.AllowedOrigins ?? []);
            Fields = (d.Fields ?? []).Select(x => new FieldRow { Name = x.Name, Label = x.Label, Type = x.Type, Required = x.Required, Options = string.Join(", ", x.Options ?? []), Value = x.Value }).ToList();
        }
        else
        {
            Key = null;
            Name = "Contact us";
            DoubleOptIn = true;
            Fields = [new() { Name = "email", Label = "Email", Type = FieldType.Email, Required = true }, new() { Name = "firstName", Label = "First name", Type = FieldType.Text }];
        }
        await LoadAsync(ct);
    }

    /// <summary>The preview of the form as it stands in the builder: an HTML fragment for the page's script, else the page.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        Exists = Key is not null && await forms.GetAsync(Key, ct) is not null;
        await LoadAsync(ct);
        if (Request.Headers.Accept.ToString().Contains("text/html-fragment", StringComparison.Ordinal)) return Content(Preview, "text/html; charset=utf-8");
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        try
        {
            var key = Key?.Trim() ?? "";
            var (saved, created) = await forms.PutAsync(key, Definition(), ct);
            TempData["Flash"] = $"Form {saved.Key} {(created ? "created" : "saved")}.";
            return RedirectToPage(new { key = saved.Key });
        }
        catch (ValidationException e)
        {
            foreach (var (field, messages) in e.Errors) Errors[field] = string.Join(" ", messages);
        }
        Exists = Key is not null && await forms.GetAsync(Key, ct) is not null;
        await LoadAsync(ct);
        return Page();
    }

    private FormDefinition Definition() => new()
    {
        Name = Blank(Name),
        Fields = Fields.Where(f => !string.IsNullOrWhiteSpace(f.Name)).Select(f => new FormField
        {
            Name = f.Name!.Trim(), Label = Blank(f.Label), Type = Blank(f.Type) ?? FieldType.Text, Required = f.Required,
            Options = string.IsNullOrWhiteSpace(f.Options) ? null : f.Options.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
            Value = string.IsNullOrEmpty(f.Value) ? null : f.Value,
        }).ToList(),
        ConsentText = Blank(ConsentText), DoubleOptIn = DoubleOptIn, ConfirmTemplate = Blank(ConfirmTemplate),
        Tags = string.IsNullOrWhiteSpace(Tags) ? null : Tags.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
        Source = Blank(Source), Pipeline = Blank(Pipeline), Stage = Blank(Stage), RedirectUrl = Blank(RedirectUrl), SubmitLabel = Blank(SubmitLabel),
        Asset = Blank(AssetUrl) is { } asset ? new FormAsset { Url = asset, Label = Blank(AssetLabel) } : null,
        AllowedOrigins = string.IsNullOrWhiteSpace(AllowedOrigins) ? null : AllowedOrigins.Split(['\n', ',', ' '], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
    };

    private async Task LoadAsync(CancellationToken ct)
    {
        TemplateKeys = (await templates.ListAsync(ct)).Select(t => t.Key).ToList();
        LeadPipelines = (await pipelines.ListAsync(ct)).Where(p => p.Object == "lead").ToList();
        while (Fields.Count(f => string.IsNullOrWhiteSpace(f.Name)) < BlankRows) Fields.Add(new FieldRow());
        var d = Definition();
        d.Name ??= "Form";
        d.Fields = d.Fields!.Where(f => FormRules.IsFieldName(f.Name)).ToList();
        var key = Slug.IsKey(Key) ? Key! : "preview";
        Preview = FormHtml.Form(key, d, $"{urls.BaseUrl}/f/{key}", tokens.Stamp(key, clock.GetUtcNow()));
    }

    /// <summary>Copy-paste code: the script, and the plain HTML form for sites that want no JavaScript.</summary>
    public string EmbedScript => $"<script src=\"{urls.BaseUrl}/f/{Key}/embed.js\"></script>";
    public string PlainHtml => $"""
        <!-- {FormHtml.E(Name)} ({urls.BaseUrl}/f/{Key}): works without JavaScript; with nurture.js on the page the visitor's page views join the lead. -->
        <style>
        {FormHtml.Styles}
        </style>
        {Preview}
        <img src="{urls.BaseUrl}/f/{Key}/view.gif" alt="" width="1" height="1" style="position:absolute;left:-10000px">
        """;

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
