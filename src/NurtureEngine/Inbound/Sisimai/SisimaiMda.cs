namespace NurtureEngine.Inbound.Sisimai;

/// <summary>
/// Sisimai::MDA (https://github.com/sisimai/p5-sisimai, BSD 2-Clause): a bounce written by a local delivery agent
/// (Dovecot, mail.local, procmail, maildrop, vpopmail, vmailmgr) says its reason in that agent's own words, whatever
/// the DSN's status ("Your message to &lt;x&gt; was automatically rejected: Not enough disk space" is a full mailbox).
/// </summary>
public static class SisimaiMda
{
    public sealed record Found(string Agent, string Reason, string Line);

    private sealed record Agent(string Name, string[] Markers, (string Reason, string[] Phrases)[] Messages);

    private static readonly Agent[] Agents =
    [
        new("dovecot", ["Your message to ", " was automatically rejected:"],
        [
            ("userunknown", ["mailbox doesn't exist: "]),
            ("mailboxfull", ["quota exceeded", "quota exceeded (mailbox for user is full)", "not enough disk space"]),
        ]),
        new("mail.local", ["mail.local: "],
        [
            ("userunknown", [": unknown user:", ": user unknown", ": invalid mailbox path", ": user missing home directory"]),
            ("mailboxfull", ["disc quota exceeded", "mailbox full or quota exceeded"]),
            ("systemerror", ["temporary file write error"]),
        ]),
        new("procmail", ["procmail: "],
        [
            ("mailboxfull", ["quota exceeded while writing"]),
            ("systemfull", ["no space left to finish writing"]),
        ]),
        new("maildrop", ["maildrop: "],
        [
            ("userunknown", ["invalid user specified.", "cannot find system user"]),
            ("mailboxfull", ["maildir over quota."]),
        ]),
        new("vpopmail", ["vdelivermail: "],
        [
            ("userunknown", ["sorry, no mailbox here by that name."]),
            ("filtered", ["account is locked email bounced", "user does not exist, but will deliver to "]),
            ("mailboxfull", ["domain is over quota", "user is over quota"]),
        ]),
        new("vmailmgr", ["vdeliver: "],
        [
            ("userunknown", ["invalid or unknown base user or domain", "invalid or unknown virtual user", "user name does not refer to a virtual user"]),
            ("mailboxfull", ["delivery failed due to system quota violation"]),
        ]),
    ];

    /// <summary>The agent's reason and the line that says it, for a bounce from a mailer daemon; null when no agent's words are there.</summary>
    public static Found? Inquire(string? from, string body)
    {
        var sender = (from ?? "").Trim().ToLowerInvariant();
        if (!sender.StartsWith("mail delivery subsystem", StringComparison.Ordinal) && !sender.StartsWith("mailer-daemon", StringComparison.Ordinal)
            && !sender.StartsWith("postmaster", StringComparison.Ordinal))
            return null;
        var agent = Agents.FirstOrDefault(a => Marked(body, a.Markers));
        if (agent is null) return null;
        var lines = body.Split('\n');
        foreach (var (reason, phrases) in agent.Messages)
            if (lines.FirstOrDefault(l => phrases.Any(p => l.Contains(p, StringComparison.OrdinalIgnoreCase))) is { } line)
                return new Found(agent.Name, reason, line.Trim());
        return null;
    }

    private static bool Marked(string body, string[] markers)
    {
        var first = body.IndexOf(markers[0], StringComparison.Ordinal);
        if (first < 0) return false;
        return markers.Length == 1 || body.IndexOf(markers[1], StringComparison.Ordinal) is var second && second >= first;
    }
}
