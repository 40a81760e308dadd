using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NurtureEngine.Data;
using NurtureEngine.Mail;

namespace NurtureEngine.Web.Pages.Dev;

public sealed class InboxModel(NurtureDbContext db) : PageModel
{
    public sealed record Row(long Id, string ToAddress, string Subject, DateTimeOffset CapturedAt);
    public sealed record Shown(string From, string To, string Subject, DateTimeOffset CapturedAt, string Html, string Text, string Headers);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public Shown? Selected { get; private set; }

    public async Task OnGetAsync(long? id, CancellationToken ct)
    {
        Rows = await db.DevInbox.AsNoTracking().OrderByDescending(m => m.Id).Take(200)
            .Select(m => new Row(m.Id, m.ToAddress, m.Subject, m.CapturedAt)).ToListAsync(ct);
        if (id is null || await db.DevInbox.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) is not { } captured) return;
        using var stream = new MemoryStream(captured.Raw);
        var message = await MimeMessage.LoadAsync(stream, ct);
        Selected = new Shown(message.From.ToString(), captured.ToAddress, captured.Subject, captured.CapturedAt, message.HtmlBody ?? "", message.TextBody ?? "",
            string.Join('\n', message.Headers.Select(h => $"{h.Field}: {h.Value}")));
    }
}
