using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Forms;

namespace NurtureEngine.Web.Forms;

/// <summary>The lead page's consent records: each form submission with its exact consent text, time, IP, browser and confirmation.</summary>
public sealed class ConsentsViewComponent(NurtureDbContext db) : ViewComponent
{
    public sealed record Row(string Form, DateTimeOffset SubmittedAt, string? ConsentText, string? Ip, string? UserAgent, bool ConfirmationRequired, DateTimeOffset? ConfirmedAt);

    public async Task<IViewComponentResult> InvokeAsync(Guid leadId)
    {
        var rows = await db.Set<FormSubmission>().AsNoTracking().Where(s => s.LeadId == leadId).OrderByDescending(s => s.SubmittedAt).Take(50)
            .Select(s => new Row(db.Set<Form>().Where(f => f.Id == s.FormId).Select(f => f.Name).First(), s.SubmittedAt, s.ConsentText, s.Ip, s.UserAgent,
                s.ConfirmationRequired, s.ConfirmedAt)).ToListAsync(HttpContext.RequestAborted);
        return View(rows);
    }
}
