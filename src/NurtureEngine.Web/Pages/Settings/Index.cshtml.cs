using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Inbound;
using NurtureEngine.Mail;
using NurtureEngine.Settings;

namespace NurtureEngine.Web.Pages.Settings;

/// <summary>The installation's settings, one form per section; saved values take precedence over configuration.</summary>
public sealed class IndexModel(InstallationSettings settings, SettingsEditor editor) : PageModel
{
    public NurtureOptions Nurture { get; private set; } = null!;
    public SmtpOptions Smtp { get; private set; } = null!;
    public ImapOptions Imap { get; private set; } = null!;
    /// <summary>Field errors of the section just posted, keyed "section.field".</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The relay's answer to "Send test email".</summary>
    public DeliveryResult? TestResult { get; private set; }
    public MailServerInput? SmtpDraft { get; private set; }
    public string TestTo { get; private set; } = "";

    public void OnGet() => Load();

    public Task<IActionResult> OnPostSenderAsync(SenderInput sender, CancellationToken ct) =>
        SaveAsync("sender", () => editor.SaveSenderAsync(sender, ct), "Sender saved: the next emails use it.");

    public Task<IActionResult> OnPostSmtpAsync(MailServerInput smtp, CancellationToken ct)
    {
        SmtpDraft = smtp;
        return SaveAsync("smtp", () => editor.SaveSmtpAsync(smtp, ct), string.IsNullOrWhiteSpace(smtp.Host)
            ? "SMTP relay removed: emails are captured in the dev inbox." : "SMTP relay saved: the next emails go through it.");
    }

    public Task<IActionResult> OnPostImapAsync(MailServerInput imap, CancellationToken ct) =>
        SaveAsync("imap", () => editor.SaveImapAsync(imap, ct), string.IsNullOrWhiteSpace(imap.Host)
            ? "Inbound mailbox removed: bounces and replies are no longer read." : "Inbound mailbox saved.");

    public Task<IActionResult> OnPostDeliveryAsync(DeliveryInput delivery, CancellationToken ct) =>
        SaveAsync("delivery", () => editor.SaveDeliveryAsync(delivery, ct), "Delivery settings saved.");

    /// <summary>Tries the relay in the form, saved or not, and shows its answer; nothing is saved.</summary>
    public async Task<IActionResult> OnPostTestSmtpAsync(MailServerInput smtp, string? to, CancellationToken ct)
    {
        SmtpDraft = smtp;
        TestTo = to ?? "";
        try { TestResult = await editor.SendTestAsync(smtp, to ?? "", ct); }
        catch (ValidationException e) { AddErrors("smtp", e); }
        Load();
        return Page();
    }

    private async Task<IActionResult> SaveAsync(string section, Func<Task> save, string flash)
    {
        try
        {
            await save();
            TempData["Flash"] = flash;
            return RedirectToPage();
        }
        catch (ValidationException e)
        {
            AddErrors(section, e);
            Load();
            return Page();
        }
    }

    private void AddErrors(string section, ValidationException e)
    {
        foreach (var (field, messages) in e.Errors) Errors[$"{section}.{field}"] = string.Join("; ", messages);
    }

    private void Load()
    {
        Nurture = settings.Nurture;
        Smtp = settings.Smtp;
        Imap = settings.Imap;
        if (TestTo.Length == 0) TestTo = User.Identity?.Name ?? "";
    }

    public string? Error(string key) => Errors.GetValueOrDefault(key);
}
