using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Segments;

namespace NurtureEngine.Web.Pages.Segments;

public sealed class IndexModel(SegmentService segments) : PageModel
{
    public IReadOnlyList<SegmentDto> Segments { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Segments = await segments.ListAsync(ct);
}
