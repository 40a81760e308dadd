using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Profile;

/// <summary>
/// One's own password and sessions. Both actions change the user's security stamp, which every
/// cookie carries and which is checked on each request (AuthenticationExtensions): every other
/// session ends at once, not when its cookie expires.
/// </summary>
public sealed class PasswordModel(UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, ViewerClock clock) : PageModel
{
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public string? TimeZone { get; private set; }
    public string? TimeZoneError { get; private set; }

    public async Task OnGetAsync() => TimeZone = await clock.SavedZoneAsync(User);

    /// <summary>Saves the viewer's time zone as a user claim (blank: back to the installation default).</summary>
    public async Task<IActionResult> OnPostTimeZoneAsync(string? timeZone)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        TimeZone = timeZone?.Trim();
        if (!string.IsNullOrEmpty(TimeZone) && ViewerClock.Find(TimeZone) is null)
        {
            TimeZoneError = $"\"{TimeZone}\" is not a time zone: pick one from the list, like Europe/Berlin or America/New_York.";
            return Page();
        }
        var existing = (await users.GetClaimsAsync(user)).Where(c => c.Type == ViewerClock.ClaimType).ToList();
        if (existing.Count > 0) await users.RemoveClaimsAsync(user, existing);
        if (!string.IsNullOrEmpty(TimeZone)) await users.AddClaimAsync(user, new System.Security.Claims.Claim(ViewerClock.ClaimType, TimeZone));
        TempData["Flash"] = string.IsNullOrEmpty(TimeZone) ? "Times are shown in the installation's time zone." : $"Times are shown in {TimeZone}.";
        return RedirectToPage();
    }

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
