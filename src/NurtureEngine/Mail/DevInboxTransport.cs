using MimeKit;
using NurtureEngine.Data;

namespace NurtureEngine.Mail;

/// <summary>With no SMTP relay configured, emails are captured in the database and shown at /dev/inbox.</summary>
public sealed class DevInboxTransport(IServiceScopeFactory scopes, TimeProvider clock) : IMailTransport
{
    public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await message.WriteToAsync(buffer, ct);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        db.DevInbox.Add(new DevInboxMessage
        {
            ToAddress = string.Join(", ", message.To.Mailboxes.Select(m => m.Address)),
            Subject = message.Subject ?? "",
            Raw = buffer.ToArray(),
            CapturedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        return new DeliveryResult(DeliveryOutcome.Sent, "250 captured in the dev inbox");
    }
}
