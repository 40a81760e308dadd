using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Leads;

namespace NurtureEngine.Web.Pages.Leads;

public sealed class EmailModel(LeadDesk desk) : PageModel
{
    public Guid LeadId { get; private set; }
    public SentEmail Email { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, Guid messageId, CancellationToken ct)
    {
        if (await desk.EmailAsync(id, messageId, ct) is not { } email) return NotFound();
        (LeadId, Email) = (id, email);
        return Page();
    }
}
