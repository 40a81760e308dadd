using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Broadcasts;

namespace NurtureEngine.Web.Pages.Broadcasts;

public sealed class IndexModel(BroadcastService broadcasts) : PageModel
{
    public IReadOnlyList<BroadcastDto> Broadcasts { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Broadcasts = await broadcasts.ListAsync(ct);
}
