using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Forms;

namespace NurtureEngine.Web.Pages.Forms;

/// <summary>Every form with its report (views, submissions, confirmation rate, conversion to MQL), and the pages MQLs viewed most.</summary>
public sealed class IndexModel(FormReports reports) : PageModel
{
    public IReadOnlyList<FormReport> Forms { get; private set; } = [];
    public IReadOnlyList<TopPage> TopPages { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Forms = await reports.FormsAsync(null, ct);
        TopPages = await reports.TopPagesOfMqlsAsync(10, ct);
    }

    public static string Percent(double? rate) => rate is { } r ? $"{r * 100:0.#} %" : "–";
}
