using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Imports;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Imports;

/// <summary>A cell PostgreSQL cannot store fails its row, with its line, never the whole import.</summary>
[Collection(AppCollection.Name)]
public sealed class ImportRowErrorTests
{
    [Fact]
    public async Task ANulInAnAttributeColumn_IsARowErrorWithItsLine_AndTheOtherRowsAreImported()
    {
        await using var app = await NurtureApp.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var csv = Encoding.UTF8.GetBytes($"Email,Note\nfirst.{tag}@example.com,fine\nbad.{tag}@example.com,a\0b\nlast.{tag}@example.com,fine\n");

        Guid id;
        using (var scope = app.Services.CreateScope())
            id = await scope.ServiceProvider.GetRequiredService<LeadImportService>()
                .StartAsync("admin@nurture.test", "nul.csv", csv, ["email", "attribute:note"], DuplicateMode.Update, CancellationToken.None);
        var done = await Eventually.GetAsync(() => Task.FromResult(app.Db(db => db.LeadImports.AsNoTracking().Single(i => i.Id == id))),
            i => i.Status is LeadImportStatus.Done or LeadImportStatus.Failed, 120, "the import finished");

        Assert.Equal(LeadImportStatus.Done, done.Status);
        Assert.Equal((2, 1), (done.Created, done.Failed));
        using var read = app.Services.CreateScope();
        var error = Assert.Single((await read.ServiceProvider.GetRequiredService<LeadImportService>().GetAsync(id, CancellationToken.None))!.Summary.Errors);
        Assert.Equal(3, error.Row);
        Assert.Contains("NUL", error.Error);
        Assert.Equal(2, app.Db(db => db.Leads.Count(l => l.Email.Contains(tag))));
    }
}
