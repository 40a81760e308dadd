using System.Collections.Concurrent;
using MimeKit;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>Reads what the real SMTP server (tests/smtp-sink.py) accepted: one .eml file per message.</summary>
public static class MailSink
{
    public sealed record Received(MimeMessage Message, string[] EnvelopeTo, string Path);

    /// <summary>
    /// Each file's envelope line, read once: the sink's files never change, and after the 10,000-lead
    /// tests the folder holds tens of thousands, which every poll would otherwise open again.
    /// </summary>
    private static readonly ConcurrentDictionary<string, string> EnvelopeLines = new();

    public static IReadOnlyList<Received> For(string recipient)
    {
        var result = new List<Received>();
        foreach (var path in Directory.EnumerateFiles(TestEnvironment.MailDirectory, "*.eml"))
        {
            if (!EnvelopeLines.TryGetValue(path, out var firstLine))
            {
                // The sink writes each file aside and renames it into place: what is listed is complete.
                EnvelopeLines[path] = firstLine = File.ReadLines(path).First();
            }
            if (!firstLine.Contains(recipient, StringComparison.OrdinalIgnoreCase)) continue;
            var to = firstLine["X-Envelope-To:".Length..].Split(',', StringSplitOptions.TrimEntries);
            result.Add(new Received(MimeMessage.Load(path), to, path));
        }
        return result.OrderBy(r => r.Path).ToList();
    }

    public sealed record Envelope(string To, string Subject);

    /// <summary>
    /// Recipient and subject of every accepted message whose envelope recipient contains
    /// <paramref name="contains"/>, reading only the header lines: fast enough for tens of thousands.
    /// </summary>
    public static List<Envelope> Envelopes(string contains)
    {
        var result = new List<Envelope>();
        foreach (var path in Directory.EnumerateFiles(TestEnvironment.MailDirectory, "*.eml"))
        {
            string? to = null, subject = null;
            foreach (var line in File.ReadLines(path))
            {
                if (line.Length == 0) break;
                if (line.StartsWith("X-Envelope-To:", StringComparison.Ordinal)) to = line["X-Envelope-To:".Length..].Trim();
                else if (line.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase)) subject = line["Subject:".Length..].Trim();
                if (to is not null && !to.Contains(contains, StringComparison.OrdinalIgnoreCase)) break;
                if (to is not null && subject is not null) break;
            }
            if (to is not null && to.Contains(contains, StringComparison.OrdinalIgnoreCase)) result.Add(new Envelope(to.ToLowerInvariant(), subject ?? ""));
        }
        return result;
    }

    /// <summary>Polls until <paramref name="count"/> messages to the recipient arrived, or fails at the deadline.</summary>
    public static async Task<IReadOnlyList<Received>> WaitForAsync(string recipient, int count = 1, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var found = For(recipient);
            if (found.Count >= count) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Expected {count} email(s) to {recipient} within {seconds} s; got {found.Count}.");
            await Task.Delay(100);
        }
    }
}
