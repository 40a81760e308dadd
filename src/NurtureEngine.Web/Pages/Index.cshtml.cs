using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;

namespace NurtureEngine.Web.Pages;

public sealed class IndexModel(NurtureDbContext db) : PageModel
{
    public sealed record StageCount(string Name, int Probability, int Count);

    public int Leads { get; private set; }
    public int ActiveEnrollments { get; private set; }
    public int EmailsSent { get; private set; }
    public IReadOnlyList<StageCount> Stages { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Leads = await db.Leads.CountAsync(ct);
        ActiveEnrollments = await db.Enrollments.CountAsync(e => e.Status == EnrollmentStatus.Active, ct);
        EmailsSent = await db.Messages.CountAsync(m => m.Status == MessageStatus.Sent, ct);
        Stages = await db.Stages.Where(s => s.Pipeline.IsDefault).OrderBy(s => s.Position)
            .Select(s => new StageCount(s.Name, s.Probability, db.Leads.Count(l => l.StageId == s.Id))).ToListAsync(ct);
    }
}
