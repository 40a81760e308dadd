using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MimeKit;

namespace NurtureEngine.Templates;

public sealed record SpamRule(double Points, string Name, string Description);
public sealed record SpamReport(double Score, double Required, IReadOnlyList<SpamRule> Rules);

/// <summary>
/// Scores a message with SpamAssassin's own rules, offline (<c>spamassassin -L -t</c>, no network
/// tests), when the binary is installed; <see cref="IsAvailable"/> is false otherwise and the
/// linter says so instead of guessing.
/// </summary>
public static partial class SpamAssassinCheck
{
    private static readonly string? Binary = new[] { "/usr/bin/spamassassin", "/usr/local/bin/spamassassin" }.FirstOrDefault(File.Exists);

    public static bool IsAvailable => Binary is not null;

    [GeneratedRegex(@"\((-?\d+(?:\.\d+)?) points, (-?\d+(?:\.\d+)?) required\)")] private static partial Regex Summary();
    [GeneratedRegex(@"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")] private static partial Regex RuleLine();

    public static async Task<SpamReport?> ScoreAsync(MimeMessage message, CancellationToken ct)
    {
        if (Binary is null) return null;
        var start = new ProcessStartInfo(Binary, ["-L", "-t"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("spamassassin did not start");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            await message.WriteToAsync(process.StandardInput.BaseStream, timeout.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            await errors;
            return Parse(await output);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>Reads the "Content analysis details" report that <c>-t</c> appends.</summary>
    public static SpamReport? Parse(string output)
    {
        var at = output.LastIndexOf("Content analysis details:", StringComparison.Ordinal);
        if (at < 0) return null;
        var report = output[at..];
        var summary = Summary().Match(report);
        if (!summary.Success) return null;
        var rules = new List<SpamRule>();
        var table = report.IndexOf("---- ", StringComparison.Ordinal);
        SpamRule? last = null;
        foreach (var line in (table < 0 ? "" : report[table..]).Split('\n').Skip(1))
        {
            var m = RuleLine().Match(line);
            if (m.Success)
            {
                last = new SpamRule(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value, m.Groups[3].Value.Trim());
                rules.Add(last);
            }
            else if (last is not null && line.StartsWith("      ", StringComparison.Ordinal) && line.Trim().Length > 0)
            {
                rules[^1] = last = last with { Description = last.Description + " " + line.Trim() };
            }
            else if (line.Trim().Length == 0) break;
        }
        return new SpamReport(double.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture), rules);
    }

    /// <summary>Rules about how the message is built (headers, MIME), not about its words: none should ever fire for our mail.</summary>
    public static bool IsConstructionRule(string name) =>
        name.StartsWith("MIME_", StringComparison.Ordinal) || name.StartsWith("MPART_", StringComparison.Ordinal)
        || name.StartsWith("MISSING_", StringComparison.Ordinal) || name.StartsWith("INVALID_", StringComparison.Ordinal)
        || name.StartsWith("HEADER_", StringComparison.Ordinal)
        || name.StartsWith("MSGID_", StringComparison.Ordinal) || name.StartsWith("DATE_IN_", StringComparison.Ordinal) || name == "HTML_MIME_NO_HTML_TAG";
}
