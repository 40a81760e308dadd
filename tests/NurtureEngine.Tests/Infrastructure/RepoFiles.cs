namespace NurtureEngine.Tests.Infrastructure;

/// <summary>Files of the checkout the tests read: the repository root and the public contract (API.md).</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>API.md lives in <c>shared/</c> beside the checkout (as CI lays it out), or in the repository.</summary>
    public static string ApiMd => new[]
        {
            Path.Combine(Root, "..", "shared", "API.md"),
            Path.Combine(Root, "docs", "API.md"),
            Path.Combine(Root, "API.md"),
        }.Select(Path.GetFullPath).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"API.md not found beside {Root} (../shared/API.md) or in it");

    public static string At(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NurtureEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("NurtureEngine.sln not found above " + AppContext.BaseDirectory);
    }
}
