using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using NurtureEngine.Inbound;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Inbound;

/// <summary>Inbound mail is kept, not refused: a NUL in a header or the text is stored as U+FFFD, the rest of the message intact.</summary>
[Collection(AppCollection.Name)]
public sealed class InboundTextTests : IAsyncLifetime
{
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ANulInTheSubject_IsStoredAsAReplacementCharacter_AndTheMessageIsProcessed()
    {
        const string raw = "From: someone@example.org\r\nTo: reply@nurture.example\r\nSubject: =?utf-8?q?Re:_hi=00there?=\r\n" +
                           "Message-ID: <nul-subject@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThanks!\r\n";
        using var scope = _app.Services.CreateScope();

        var result = await scope.ServiceProvider.GetRequiredService<InboundProcessor>()
            .ProcessAsync(MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw))), CancellationToken.None);

        Assert.True(result.Processed);
        Assert.Equal("Re: hi\uFFFDthere", _app.Db(db => db.InboundMessages.Single().Subject));
    }
}
