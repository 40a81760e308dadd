using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Settings;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Admin;

[Collection(AppCollection.Name)]
public sealed class SavedSettingsTests
{
    [Fact]
    public async Task ASavedRelayChange_AppliesToTheNextEmail_WithoutARestart()
    {
        await using var app = await NurtureApp.StartAsync(); // configured to send through the SMTP sink
        var before = NurtureApp.UniqueEmail("relay");
        await app.CreateLeadAsync(new { email = before });
        await MailSink.WaitForAsync(before);

        // The admin removes the relay: from now on email is captured in the dev inbox instead.
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SettingsEditor>().SaveSmtpAsync(new MailServerInput("", null, "Auto", null, null, false), CancellationToken.None);
        var after = NurtureApp.UniqueEmail("inbox");
        await app.CreateLeadAsync(new { email = after });
        await Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.DevInbox.Count(m => m.ToAddress == after))), n => n == 1, 60, "the email captured in the dev inbox");
        Assert.Empty(MailSink.For(after));
    }
}
