using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;

namespace NurtureEngine.Web.Pages.Leads;

public sealed class DetailsModel(LeadService leads, NurtureDbContext db) : PageModel
{
    public LeadDto Lead { get; private set; } = null!;
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public IReadOnlyList<string> Stages { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await leads.GetAsync(id, ct) is not { } lead) return NotFound();
        Lead = lead;
        Timeline = await leads.TimelineAsync(id, 500, ct);
        Stages = await db.Stages.Where(s => s.Pipeline.Key == lead.Pipeline).OrderBy(s => s.Position).Select(s => s.Key).ToListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostStageAsync(Guid id, string stage, CancellationToken ct)
    {
        try
        {
            await leads.ChangeStageAsync(id, stage, null, StageChangeCause.Admin, ct);
        }
        catch (NotFoundException) { return NotFound(); }
        catch (ValidationException) { }
        return RedirectToPage(new { id });
    }
}
