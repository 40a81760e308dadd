using System.Text;
using MimeKit;

namespace NurtureEngine.Tests.Inbound;

/// <summary>
/// Realistic inbound emails (Inbound/Samples/*.eml) with placeholders filled in: RCPT (the lead's
/// address), MSGID (the Message-ID we sent), TOKEN / REPLYTOKEN / UNSUBTOKEN (our VERP, Reply-To
/// and List-Unsubscribe tokens).
/// </summary>
public static class InboundSamples
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Inbound", "Samples");

    public static string Text(string name, string recipient = "ada@example.com", string messageId = "0123456789abcdef0123456789abcdef@nurture.example",
        string? bounceToken = null, string? replyToken = null, string? unsubscribeToken = null)
    {
        var fake = new string('Q', 42);
        return File.ReadAllText(Path.Combine(Folder, name))
            .Replace("UNSUBTOKEN", unsubscribeToken ?? fake)
            .Replace("REPLYTOKEN", replyToken ?? fake)
            .Replace("TOKEN", bounceToken ?? fake)
            .Replace("MSGID", messageId)
            .Replace("RCPT", recipient)
            .Replace("\r\n", "\n").Replace("\n", "\r\n");
    }

    public static MimeMessage Load(string name, string recipient = "ada@example.com", string messageId = "0123456789abcdef0123456789abcdef@nurture.example",
        string? bounceToken = null, string? replyToken = null, string? unsubscribeToken = null) =>
        MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Text(name, recipient, messageId, bounceToken, replyToken, unsubscribeToken))));
}
