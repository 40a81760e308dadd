using System.Globalization;
using System.Text;
using MimeKit;

namespace NurtureEngine.Leads;

/// <summary>
/// Email addresses as people give them: one plain addr-spec (no display name, group, space or line
/// break). Internationalised addresses are accepted: a domain in Unicode (U-labels) or punycode
/// (A-labels, RFC 5890), and a UTF-8 local part (RFC 6531). Limits are RFC 5321's in octets, the
/// domain counted in its A-label form: local part 64, domain 253, the whole address 254.
/// </summary>
public static class EmailAddress
{
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return false;
        var address = value.Trim();
        // Rune enumeration turns a lone surrogate into U+FFFD: ill-formed text is refused with the rest.
        // Invisible format characters (zero-width space, bidi overrides) only serve to spoof an address.
        if (address.EnumerateRunes().Any(r => r == Rune.ReplacementChar || Rune.IsControl(r) || Rune.IsWhiteSpace(r)
                || Rune.GetUnicodeCategory(r) == UnicodeCategory.Format)) return false;
        var at = address.LastIndexOf('@');
        if (at <= 0) return false;
        var localOctets = Encoding.UTF8.GetByteCount(address[..at]);
        if (localOctets > 64 || AsciiDomain(address[(at + 1)..]) is not { } domain || !domain.Contains('.')) return false;
        if (localOctets + 1 + domain.Length > 254) return false;
        return MailboxAddress.TryParse(ParserOptions.Default, address, out var mailbox)
            && string.IsNullOrEmpty(mailbox.Name)
            && string.Equals(mailbox.GetAddress(idnEncode: true), $"{address[..at]}@{domain}", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The unique key of an address: trimmed, Unicode NFC, lower-cased, the domain in A-labels; so
    /// <c>Anna@Bücher.example</c> and <c>anna@xn--bcher-kva.example</c> are one lead. Never throws:
    /// text that is no address is keyed as it is (lower-cased), and simply matches nothing.
    /// </summary>
    public static string Key(string email)
    {
        var address = email.Trim();
        try { address = address.Normalize(NormalizationForm.FormC); }
        catch (ArgumentException) { /* ill-formed UTF-16: no address anyway */ }
        var at = address.LastIndexOf('@');
        if (at < 0) return address.ToLowerInvariant();
        var domain = address[(at + 1)..];
        return $"{address[..at]}@{AsciiDomain(domain) ?? domain}".ToLowerInvariant();
    }

    /// <summary>
    /// The domain in A-labels, or null when it is no host name (STD 3 rules: letters, digits, inner
    /// hyphens; labels of 1–63) or only becomes one by UTS 46 mapping (a zero-width space dropped,
    /// full-width letters folded): the domain as given must already be its A-label or U-label form.
    /// </summary>
    private static string? AsciiDomain(string domain)
    {
        if (domain.Length == 0 || domain.EndsWith('.')) return null;
        try
        {
            var idn = new IdnMapping { UseStd3AsciiRules = true };
            var ascii = idn.GetAscii(domain);
            var asGiven = string.Equals(domain, ascii, StringComparison.OrdinalIgnoreCase)
                || string.Equals(domain.Normalize(NormalizationForm.FormC), idn.GetUnicode(ascii), StringComparison.OrdinalIgnoreCase);
            return asGiven && ascii.Length <= 253 ? ascii : null;
        }
        catch (ArgumentException) { return null; }
    }
}
