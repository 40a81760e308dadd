using MimeKit;

namespace NurtureEngine.Leads;

public static class EmailAddress
{
    /// <summary>One plain address (no display name, no group, no line breaks), at most 254 characters.</summary>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return false;
        var trimmed = value.Trim();
        if (trimmed.Length > 254 || trimmed.Any(char.IsControl) || trimmed.Contains(' ')) return false;
        if (!MailboxAddress.TryParse(ParserOptions.Default, trimmed, out var mailbox)) return false;
        var at = mailbox.Address.LastIndexOf('@');
        return at > 0 && at < mailbox.Address.Length - 1 && mailbox.Address == trimmed && mailbox.Address[(at + 1)..].Contains('.');
    }
}
