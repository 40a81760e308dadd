using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Tasks;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Tasks;

/// <summary>A rep's to-do list: overdue, due today, later; done with one click.</summary>
public sealed class IndexModel(TaskService tasks, TimeProvider clock, ViewerClock viewer, LeadDirectory directory) : PageModel
{
    /// <summary>Whose list; only admins and marketers may look at someone else's.</summary>
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    public IReadOnlyList<TaskDto> Overdue { get; private set; } = [];
    public IReadOnlyList<TaskDto> Today { get; private set; } = [];
    public IReadOnlyList<TaskDto> Later { get; private set; } = [];
    public IReadOnlyList<TaskDto> RecentlyDone { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public string Whose => CanSeeOthers && !string.IsNullOrWhiteSpace(Owner) ? Owner.Trim().ToLowerInvariant() : User.Identity?.Name?.ToLowerInvariant() ?? "";
    public bool CanSeeOthers => User.IsInRole("Admin") || User.IsInRole("Marketer");

    public async Task OnGetAsync(CancellationToken ct)
    {
        var open = await tasks.ListAsync(new TaskQuery(Whose, "open", Limit: 500), ct);
        var now = clock.GetUtcNow();
        // "Today" ends at the viewer's midnight, not UTC's.
        var zone = await viewer.ZoneAsync();
        var endOfDay = await viewer.FromLocalAsync(TimeZoneInfo.ConvertTime(now, zone).Date.AddDays(1));
        if (CanSeeOthers) Owners = await directory.OwnersAsync(ct);
        Overdue = open.Where(t => t.DueAt < now).ToList();
        Today = open.Where(t => t.DueAt >= now && t.DueAt < endOfDay).ToList();
        Later = open.Where(t => t.DueAt >= endOfDay).ToList();
        RecentlyDone = (await tasks.ListAsync(new TaskQuery(Whose, "done", Limit: 500), ct)).OrderByDescending(t => t.DoneAt).Take(20).ToList();
    }

    public async Task<IActionResult> OnPostDoneAsync(long id, CancellationToken ct)
    {
        try
        {
            var me = User.Identity?.Name?.ToLowerInvariant() ?? "";
            var task = await tasks.DoneAsync(id, me, ct, onlyOwner: CanSeeOthers ? null : me);
            TempData["Flash"] = $"Done: {task.Title}";
        }
        catch (NotFoundException) { return NotFound(); }
        return RedirectToPage(new { owner = Owner });
    }
}
