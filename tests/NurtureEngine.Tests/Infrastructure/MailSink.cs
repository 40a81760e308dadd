using MimeKit;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>Reads what the real SMTP server (tests/smtp-sink.py) accepted: one .eml file per message.</summary>
public static class MailSink
{
    public sealed record Received(MimeMessage Message, string[] EnvelopeTo, string Path);

    public static IReadOnlyList<Received> For(string recipient)
    {
        var result = new List<Received>();
        foreach (var path in Directory.EnumerateFiles(TestEnvironment.MailDirectory, "*.eml").Order())
        {
            var firstLine = File.ReadLines(path).First();
            if (!firstLine.Contains(recipient, StringComparison.OrdinalIgnoreCase)) continue;
            var to = firstLine["X-Envelope-To:".Length..].Split(',', StringSplitOptions.TrimEntries);
            result.Add(new Received(MimeMessage.Load(path), to, path));
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
