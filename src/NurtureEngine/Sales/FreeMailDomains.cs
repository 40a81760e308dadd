namespace NurtureEngine.Sales;

/// <summary>
/// Consumer email providers (free-mail-domains.txt, embedded): an address at one of these is a person's
/// own, not their employer's, so it links to no company.
/// </summary>
public static class FreeMailDomains
{
    private static readonly Lazy<HashSet<string>> Domains = new(Load);

    public static bool Contains(string domain) => Domains.Value.Contains(domain.Trim().TrimEnd('.').ToLowerInvariant());

    private static HashSet<string> Load()
    {
        using var stream = typeof(FreeMailDomains).Assembly.GetManifestResourceStream("NurtureEngine.Sales.free-mail-domains.txt")
            ?? throw new InvalidOperationException("free-mail-domains.txt is not embedded");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            var domain = line.Split('#')[0].Trim();
            if (domain.Length > 0) set.Add(domain);
        }
        return set;
    }
}
