using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Tasks;

namespace NurtureEngine.Web.Pages.Tasks;

/// <summary>A rep's to-do list: overdue, due today, later; done with one click.</summary>
public sealed class IndexModel(TaskService tasks, TimeProvider clock) : PageModel
{
    /// <summary>Whose list; only admins and marketers may look at someone else's.</summary>
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    public IReadOnlyList<TaskDto> Overdue { get; private set; } = [];
    public IReadOnlyList<TaskDto> Today { get; private set; } = [];
    public IReadOnlyList<TaskDto> Later { get; private set; } = [];
    public IReadOnlyList<TaskDto> RecentlyDone { get; private set; } = [];
    public string Whose => CanSeeOthers && !string.IsNullOrWhiteSpace(Owner) ? Owner.Trim().ToLowerInvariant() : User.Identity?.Name?.ToLowerInvariant() ?? "";
    public bool CanSeeOthers => User.IsInRole("Admin") || User.IsInRole("Marketer");

    public async Task OnGetAsync(CancellationToken ct)
    {
        var open = await tasks.ListAsync(new TaskQuery(Whose, "open", Limit: 500), ct);
        var now = clock.GetUtcNow();
        var endOfDay = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
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
