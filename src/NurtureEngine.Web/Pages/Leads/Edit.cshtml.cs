using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Leads;

/// <summary>
/// Create a lead by hand (/leads/new), edit or reassign one (/leads/{id}/edit), erase one (admins and
/// marketers, after ticking the erasure warning). Errors are shown at their field.
/// </summary>
public sealed class EditModel(LeadService leads, LeadEraser eraser, PipelineService pipelines, LeadDirectory directory) : PageModel
{
    public sealed class LeadForm
    {
        public string? Email { get; set; }
        public string? FirstName { get; set; }
        public string? LastName { get; set; }
        public string? Company { get; set; }
        public string? JobTitle { get; set; }
        public string? Phone { get; set; }
        public string? TimeZone { get; set; }
        public string? Source { get; set; }
        public string? DealValue { get; set; }
        public string? Owner { get; set; }
        public string? Tags { get; set; }
        /// <summary>"pipeline:stage" (new leads only).</summary>
        public string? Stage { get; set; }
    }

    [BindProperty(SupportsGet = true)] public Guid? Id { get; set; }
    [BindProperty] public LeadForm Form { get; set; } = new();
    public LeadDto? Lead { get; private set; }
    public IReadOnlyList<PipelineDto> Pipelines { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);
    public bool CanErase => User.IsInRole("Admin") || User.IsInRole("Marketer");

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (Lead is { } l)
            Form = new LeadForm
            {
                Email = l.Email, FirstName = l.FirstName, LastName = l.LastName, Company = l.CompanyName, JobTitle = l.JobTitle, Phone = l.Phone,
                TimeZone = l.TimeZone, Source = l.Source, DealValue = l.DealValue?.ToString(CultureInfo.InvariantCulture), Owner = l.Owner,
            };
        else Form = new LeadForm { Owner = User.IsInRole("SalesRep") ? User.Identity?.Name?.ToLowerInvariant() : null, Source = "manual" };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var input = ToInput();
        if (Errors.Count > 0) return Page();
        try
        {
            if (Lead is null && !string.IsNullOrWhiteSpace(input.Email)
                && (await leads.ListAsync(new LeadQuery(Email: input.Email, Limit: 1), ct)).Items is [var existing])
            {
                Errors["email"] = "a lead with this email already exists";
                ViewData["Existing"] = existing.Id;
                return Page();
            }
            var saved = await leads.UpsertAsync(input, Lead is null ? StageChangeCause.Created : StageChangeCause.Admin, ct);
            TempData["Flash"] = Lead is null ? $"Lead {saved.Lead.Email} created." : "Lead saved.";
            return Redirect($"/leads/{saved.Lead.Id}");
        }
        catch (ValidationException e)
        {
            foreach (var (field, messages) in e.Errors) Errors[field] = string.Join("; ", messages);
        }
        catch (ConflictException e) { Errors["stage"] = e.Message; }
        return Page();
    }

    public async Task<IActionResult> OnPostEraseAsync(bool understood, CancellationToken ct)
    {
        if (!CanErase) return Forbid();
        if (!await LoadAsync(ct) || Lead is null) return NotFound();
        if (!understood)
        {
            Errors["erase"] = "Tick the box to confirm: erasing cannot be undone.";
            Form = new LeadForm { Email = Lead.Email };
            return Page();
        }
        await eraser.EraseAsync(Lead.Id, ct);
        TempData["Flash"] = $"{Lead.Email} was erased; the address stays suppressed so it is never mailed again.";
        return Redirect("/leads");
    }

    private LeadInput ToInput()
    {
        decimal? deal = null;
        if (!string.IsNullOrWhiteSpace(Form.DealValue))
        {
            if (decimal.TryParse(Form.DealValue.Replace(",", "").Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d)) deal = d;
            else Errors["dealValue"] = "must be a number, like 12000 or 12,000.50";
        }
        string? pipeline = null, stage = null;
        if (Lead is null && Form.Stage?.Split(':') is [var p, var s]) (pipeline, stage) = (p, s);
        var tags = (Form.Tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToLowerInvariant()).ToList();
        return new LeadInput
        {
            Email = Lead?.Email ?? Form.Email?.Trim(),
            FirstName = Text(Form.FirstName, Lead?.FirstName), LastName = Text(Form.LastName, Lead?.LastName), Company = Text(Form.Company, Lead?.CompanyName),
            JobTitle = Text(Form.JobTitle, Lead?.JobTitle), Phone = Text(Form.Phone, Lead?.Phone), Source = Text(Form.Source, Lead?.Source),
            TimeZone = string.IsNullOrWhiteSpace(Form.TimeZone) ? null : Form.TimeZone.Trim(),
            DealValue = deal, Owner = string.IsNullOrWhiteSpace(Form.Owner) ? null : Form.Owner.Trim(),
            Tags = tags.Count > 0 ? tags : null, Pipeline = pipeline, Stage = stage,
        };
    }

    /// <summary>A blank box clears a field that had a value; on a new lead it stays unset.</summary>
    private static string? Text(string? typed, string? current) =>
        string.IsNullOrWhiteSpace(typed) ? (current is null ? null : "") : typed.Trim();

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        Owners = await directory.OwnersAsync(ct);
        if (Id is not { } id) return true;
        Lead = await leads.GetAsync(id, ct);
        return Lead is not null;
    }
}
