using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Broadcasts;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Settings;
using NurtureEngine.Tasks;
using NurtureEngine.Timeline;

namespace NurtureEngine.Web.Pages;

/// <summary>
/// Home. A rep sees their own work (open tasks, leads just handed to them, their hottest leads);
/// admins and marketers see the counters, the funnel and a getting-started checklist until it is done.
/// </summary>
public sealed class IndexModel(NurtureDbContext db, TaskService tasks, InstallationSettings settings, TimeProvider clock) : PageModel
{
    public sealed record StageCount(string Name, int Probability, int Count);
    public sealed record LeadRow(Guid Id, string Email, string Name, int Score, DateTimeOffset? At);
    public sealed record ChecklistItem(string Id, string Text, string Href, bool Done);

    public bool IsRepHome { get; private set; }
    public int Leads { get; private set; }
    public int ActiveEnrollments { get; private set; }
    public int EmailsSent { get; private set; }
    public IReadOnlyList<StageCount> Stages { get; private set; } = [];
    public IReadOnlyList<ChecklistItem> Checklist { get; private set; } = [];
    public IReadOnlyList<TaskDto> MyTasks { get; private set; } = [];
    public IReadOnlyList<LeadRow> HandOffs { get; private set; } = [];
    public IReadOnlyList<LeadRow> HotLeads { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        IsRepHome = !User.IsInRole("Admin") && !User.IsInRole("Marketer");
        if (IsRepHome) await LoadRepHomeAsync(ct);
        else await LoadDashboardAsync(ct);
    }

    private async Task LoadRepHomeAsync(CancellationToken ct)
    {
        var me = User.Identity?.Name?.ToLowerInvariant() ?? "";
        MyTasks = (await tasks.ListAsync(new TaskQuery(me, "open", Limit: 200), ct)).OrderBy(t => t.DueAt).Take(10).ToList();
        var since = clock.GetUtcNow().AddDays(-14);
        HandOffs = await db.Activities.Where(a => HandOffKinds.Contains(a.Kind) && a.At >= since)
            .Join(db.Leads.Where(l => l.Owner == me), a => a.LeadId, l => l.Id, (a, l) => new { a.At, l.Id, l.Email, l.FirstName, l.LastName, l.Score })
            .OrderByDescending(x => x.At).Take(10)
            .Select(x => new LeadRow(x.Id, x.Email, ((x.FirstName ?? "") + " " + (x.LastName ?? "")).Trim(), x.Score, x.At)).ToListAsync(ct);
        HotLeads = await db.Leads.Where(l => l.Owner == me).OrderByDescending(l => l.Score).ThenBy(l => l.Id).Take(10)
            .Select(l => new LeadRow(l.Id, l.Email, ((l.FirstName ?? "") + " " + (l.LastName ?? "")).Trim(), l.Score, null)).ToListAsync(ct);
    }

    /// <summary>What puts a lead in the rep's hands: a notification, an <c>assign_owner</c> step, a hand-off stage.</summary>
    private static readonly string[] HandOffKinds = [ActivityKind.OwnerNotified, Sales.AssignOwnerStep.OwnerAssigned, Sales.HandoffService.Assigned];

    private async Task LoadDashboardAsync(CancellationToken ct)
    {
        Leads = await db.Leads.CountAsync(ct);
        ActiveEnrollments = await db.Enrollments.CountAsync(e => e.Status == EnrollmentStatus.Active, ct);
        EmailsSent = await db.Messages.CountAsync(m => m.Status == MessageStatus.Sent, ct);
        Stages = await db.Stages.Where(s => s.Pipeline.IsDefault).OrderBy(s => s.Position)
            .Select(s => new StageCount(s.Name, s.Probability, db.Leads.Count(l => l.StageId == s.Id))).ToListAsync(ct);
        var isAdmin = User.IsInRole("Admin");
        var items = new List<ChecklistItem>();
        if (isAdmin) items.Add(new("sender", "Set who your emails come from (sender name, address, postal address)", "/settings", settings.Saved.SenderEmail is not null));
        items.Add(new("template", "Write your first email template", "/templates", await db.Templates.AnyAsync(ct)));
        items.Add(new("leads", "Import your leads, or add one by hand", "/imports", Leads > 0));
        items.Add(new("sequence", "Build your first sequence", "/sequences", await db.Sequences.AnyAsync(ct)));
        items.Add(new("form", "Put a sign-up form on your website", "/forms", await db.Set<global::NurtureEngine.Forms.Form>().AnyAsync(ct)));
        items.Add(new("broadcast", "Send your first broadcast", "/broadcasts",
            await db.Broadcasts.AnyAsync(b => b.Status == BroadcastStatus.Sending || b.Status == BroadcastStatus.Paused || b.Status == BroadcastStatus.Sent, ct)));
        items.Add(new("segment", "Group leads in a segment", "/segments", await db.Segments.AnyAsync(ct)));
        if (isAdmin) items.Add(new("team", "Invite a sales rep", "/users", (await db.UserRoles.CountAsync(ct)) > 1));
        Checklist = items;
    }
}
