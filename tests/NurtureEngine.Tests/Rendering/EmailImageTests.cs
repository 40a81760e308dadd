using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Common;
using NurtureEngine.Templates;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Rendering;

/// <summary>Uploaded email images: type by content, size-limited, stored once, public and cached.</summary>
[Collection(AppCollection.Name)]
public sealed class EmailImageTests : IAsyncLifetime
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    private NurtureApp _app = null!;

    public async Task InitializeAsync() => _app = await NurtureApp.StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" });
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<EmailImage> SaveAsync(string name, byte[] bytes)
    {
        using var scope = _app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<EmailImageStore>().SaveAsync(name, new MemoryStream(bytes), CancellationToken.None);
    }

    [Fact]
    public async Task AnImage_IsStoredOnce_AndServedPubliclyWithALongCache()
    {
        var first = await SaveAsync("logo.png", Png);
        var again = await SaveAsync("logo-copy.png", Png);
        Assert.Equal(first.Id, again.Id);

        var response = await _app.Anonymous().GetAsync($"/i/{first.Id:N}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString().Replace(", ", ", "));
        Assert.Equal(Png, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Anonymous().GetAsync($"/i/{Guid.NewGuid():N}")).StatusCode);
    }

    [Fact]
    public async Task TheTypeIsReadFromTheBytes_NotTheName_AndTheSizeIsLimited()
    {
        var count = _app.Db(db => db.EmailImages.Count());
        var svg = await Assert.ThrowsAsync<ValidationException>(() => SaveAsync("photo.png", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray()));
        Assert.Contains("file", svg.Errors.Keys);
        var big = Png.Concat(new byte[EmailImageStore.MaxBytes]).ToArray();
        var tooBig = await Assert.ThrowsAsync<ValidationException>(() => SaveAsync("big.png", big));
        Assert.Contains("larger than 2 MB", tooBig.Errors["file"].Single());
        Assert.Equal(count, _app.Db(db => db.EmailImages.Count()));
    }
}
