using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// A folder of its own in the real Dovecot started by ./test.sh: the app under test reads it as its
/// inbound mailbox (<see cref="Settings"/>), and the test drops bounces, complaints and replies into
/// it with IMAP APPEND, as a mail server would deliver them.
/// </summary>
public sealed class TestMailbox
{
    public const string ProcessedKeyword = "$NurtureProcessed";

    private TestMailbox(string folder) => Folder = folder;

    public string Folder { get; }

    public static async Task<TestMailbox> CreateAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        using var client = await ConnectAsync();
        var personal = client.GetFolder(client.PersonalNamespaces[0]);
        await personal.CreateAsync(name, isMessageFolder: true);
        await client.DisconnectAsync(true);
        return new TestMailbox(name);
    }

    /// <summary>The app settings that make it read this folder, once a second.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Inbound:Imap:Host"] = TestEnvironment.ImapHost,
            ["Inbound:Imap:Port"] = TestEnvironment.ImapPort.ToString(),
            ["Inbound:Imap:User"] = TestEnvironment.ImapUser,
            ["Inbound:Imap:Password"] = TestEnvironment.ImapPassword,
            ["Inbound:Imap:Security"] = "None",
            ["Inbound:Imap:Folder"] = Folder,
            ["Inbound:Imap:PollSeconds"] = "1",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>()) settings[k] = v;
        return settings;
    }

    public async Task AppendAsync(string raw)
    {
        using var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(Folder);
        await folder.OpenAsync(FolderAccess.ReadWrite);
        await folder.AppendAsync(MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw))), MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    /// <summary>How many messages the app has marked as processed, and how many there are.</summary>
    public async Task<(int Processed, int Total)> CountAsync()
    {
        using var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(Folder);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var processed = (await folder.SearchAsync(SearchQuery.HasKeyword(ProcessedKeyword))).Count;
        var total = folder.Count;
        await client.DisconnectAsync(true);
        return (processed, total);
    }

    private static async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient { Timeout = 30_000 };
        await client.ConnectAsync(TestEnvironment.ImapHost, TestEnvironment.ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(TestEnvironment.ImapUser, TestEnvironment.ImapPassword);
        return client;
    }
}
