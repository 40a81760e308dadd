using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace NurtureEngine.Web.Pages.Profile;

/// <summary>
/// One's own password and sessions. Both actions change the user's security stamp, which every
/// cookie carries and which is checked on each request (AuthenticationExtensions): every other
/// session ends at once, not when its cookie expires.
/// </summary>
public sealed class PasswordModel(UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn) : PageModel
{
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public void OnGet() { }

    public async Task<IActionResult> OnPostChangeAsync(string? current, string? password, string? confirm)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        if (string.IsNullOrEmpty(current) || string.IsNullOrEmpty(password)) Errors = ["Enter your current and your new password."];
        else if (password != confirm) Errors = ["The new password and its confirmation differ."];
        else
        {
            var changed = await users.ChangePasswordAsync(user, current, password);
            if (changed.Succeeded)
            {
                await signIn.RefreshSignInAsync(user); // this session carries the new stamp; the others do not
                TempData["Flash"] = "Your password is changed; every other session is signed out.";
                return RedirectToPage();
            }
            Errors = [.. changed.Errors.Select(e => e.Code == "PasswordMismatch" ? "The current password is wrong." : e.Description)];
        }
        return Page();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is not null) await users.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        return Redirect("/account/login");
    }
}
