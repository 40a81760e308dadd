using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Data;

namespace NurtureEngine.Web.Pages.Users;

public sealed class IndexModel(UserManager<IdentityUser> users, TimeProvider clock) : PageModel
{
    public sealed record Row(string Id, string Email, IReadOnlyList<string> Roles, bool LockedOut);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(string? email, string? password, string? role, CancellationToken ct)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(email) || !NurtureEngine.Leads.EmailAddress.IsValid(email)) errors.Add("Enter a valid email address.");
        if (role is null || !DatabaseInitializer.Roles.Contains(role)) errors.Add("Choose a role: Admin, Marketer or SalesRep.");
        if (string.IsNullOrEmpty(password)) errors.Add("Enter a password.");
        if (errors.Count == 0)
        {
            var user = new IdentityUser { UserName = email!.Trim().ToLowerInvariant(), Email = email.Trim().ToLowerInvariant(), EmailConfirmed = true };
            var created = await users.CreateAsync(user, password!);
            if (created.Succeeded)
            {
                await users.AddToRoleAsync(user, role!);
                TempData["Flash"] = $"{user.Email} can now sign in as {role}.";
                return RedirectToPage();
            }
            errors.AddRange(created.Errors.Select(e => e.Description));
        }
        Errors = errors;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUnlockAsync(string id)
    {
        if (await users.FindByIdAsync(id) is { } user)
        {
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            TempData["Flash"] = $"{user.Email} is unlocked.";
        }
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var list = await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        var rows = new List<Row>();
        foreach (var u in list)
            rows.Add(new Row(u.Id, u.Email ?? u.UserName ?? "", [.. await users.GetRolesAsync(u)], u.LockoutEnd > now));
        Rows = rows;
    }
}
