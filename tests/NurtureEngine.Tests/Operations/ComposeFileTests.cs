using System.Diagnostics;
using System.Text.RegularExpressions;
using NurtureEngine.Tests.Infrastructure;
using Xunit.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace NurtureEngine.Tests.Operations;

/// <summary>docker-compose.yml runs what README promises, configured only with keys API.md defines.</summary>
public sealed partial class ComposeFileTests(ITestOutputHelper output)
{
    private static readonly string ComposeFile = RepoFiles.At("docker-compose.yml");

    [Fact]
    public void TheComposeFile_RunsPostgresMailpitWebAndReplicatedWorkers_FromTheRepoDockerfile()
    {
        var services = Map(Compose()["services"]);

        Assert.Equal(["mailpit", "postgres", "web", "worker"], services.Keys.Order());
        foreach (var role in new[] { "web", "worker" })
        {
            var service = Map(services[role]);
            Assert.Equal(".", service["build"]);
            Assert.True(File.Exists(RepoFiles.At("Dockerfile")));
            Assert.Equal(role, Map(service["environment"])["Nurture__Role"]);
            Assert.Contains("postgres", Map(service["depends_on"]).Keys);
        }
        Assert.True(int.Parse((string)Map(Map(services["worker"])["deploy"])["replicas"]) >= 2, "workers are replicated");
        Assert.Contains("8080:8080", List(Map(services["web"])["ports"]));
        Assert.DoesNotContain("ports", Map(services["worker"]).Keys); // workers serve nobody
    }

    [Fact]
    public void EveryEnvironmentName_OfTheApp_IsAConfigurationKeyOfApiMd()
    {
        var known = ApiMdConfigurationKeys();
        Assert.Contains("Nurture__Role", known);
        Assert.Contains("Inbound__Imap__Port", known); // abbreviated "`__Port`" rows are expanded

        var services = Map(Compose()["services"]);
        foreach (var role in new[] { "web", "worker" })
        {
            var names = Map(Map(services[role])["environment"]).Keys;
            var unknown = names.Where(n => !known.Contains(n) && !n.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList();
            Assert.True(unknown.Count == 0, $"{role} sets names API.md does not define: {string.Join(", ", unknown)}");
            Assert.Contains("ConnectionStrings__Nurture", names);
            Assert.Contains("Smtp__Host", names);
        }
    }

    [Fact]
    public void DockerCompose_AcceptsTheFile_WhenInstalled()
    {
        var compose = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists);
        if (compose is null)
        {
            output.WriteLine("SKIPPED: docker-compose is not installed; the YAML structure is checked by the other tests");
            return;
        }
        using var process = Process.Start(new ProcessStartInfo(compose, ["-f", ComposeFile, "config", "-q"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoFiles.Root,
        })!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "docker-compose config: " + stderr);
    }

    /// <summary>The YAML with merge keys (<c>&lt;&lt;: *app-env</c>) resolved, as Compose reads it.</summary>
    private static Dictionary<string, object> Compose()
    {
        using var reader = new StreamReader(ComposeFile);
        var yaml = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
        return Map(yaml);
    }

    private static Dictionary<string, object> Map(object? node) =>
        ((Dictionary<object, object>)node!).ToDictionary(e => (string)e.Key, e => e.Value);

    private static List<string> List(object? node) => ((List<object>)node!).Cast<string>().ToList();

    /// <summary>The first column of API.md's configuration table; "`__Port`" continues the previous key's prefix.</summary>
    private static HashSet<string> ApiMdConfigurationKeys()
    {
        var keys = new HashSet<string>();
        foreach (var line in File.ReadLines(RepoFiles.ApiMd).Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cell = line.Split('|')[1];
            string? prefix = null;
            foreach (Match m in BacktickedName().Matches(cell))
            {
                var name = m.Groups[1].Value;
                if (name.StartsWith("__", StringComparison.Ordinal) && prefix is not null) name = prefix + name;
                else prefix = name.Contains("__") ? name[..name.LastIndexOf("__", StringComparison.Ordinal)] : name;
                keys.Add(name);
            }
        }
        return keys;
    }

    [GeneratedRegex("`([A-Za-z_][A-Za-z0-9_]*)`")]
    private static partial Regex BacktickedName();
}
