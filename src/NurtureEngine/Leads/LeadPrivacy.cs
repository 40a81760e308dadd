using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Leads;

/// <summary>GDPR export: everything held on a lead, as JSON (erasure is <see cref="LeadEraser"/>).</summary>
public sealed class LeadPrivacy(NurtureDbContext db, LeadService leads)
{
    public async Task<JsonObject> ExportAsync(Guid id, CancellationToken ct)
    {
        var lead = await leads.GetAsync(id, ct) ?? throw new NotFoundException("Lead");
        var export = new JsonObject
        {
            ["lead"] = JsonNode.Parse(Json.Serialize(lead)),
            ["timeline"] = JsonNode.Parse(Json.Serialize(await leads.TimelineAsync(id, int.MaxValue, ct))),
            ["stageChanges"] = JsonNode.Parse(Json.Serialize(await db.StageChanges.AsNoTracking().Where(c => c.LeadId == id).OrderBy(c => c.At).ToListAsync(ct))),
            ["enrollments"] = JsonNode.Parse(Json.Serialize(await db.Enrollments.AsNoTracking().Where(e => e.LeadId == id).OrderBy(e => e.Id).ToListAsync(ct))),
            ["emails"] = JsonNode.Parse(Json.Serialize(await db.Messages.AsNoTracking().Where(m => m.LeadId == id).OrderBy(m => m.CreatedAt)
                .Select(m => new { m.Id, m.ToAddress, m.Subject, m.Html, m.Text, m.Status, m.CreatedAt, m.SentAt }).ToListAsync(ct))),
            ["tasks"] = JsonNode.Parse(Json.Serialize(await db.SalesTasks.AsNoTracking().Where(t => t.LeadId == id).OrderBy(t => t.Id).ToListAsync(ct))),
            ["inboundMail"] = JsonNode.Parse(Json.Serialize(await db.InboundMessages.AsNoTracking().Where(m => m.LeadId == id).OrderBy(m => m.Id)
                .Select(m => new { m.Outcome, m.Status, m.Reason, m.FromAddress, m.Subject, m.ReceivedAt }).ToListAsync(ct))),
            // The consent record of each form submission (issue 17): exact text, time, IP, browser, confirmation.
            ["consents"] = JsonNode.Parse(Json.Serialize(await db.Set<Forms.FormSubmission>().AsNoTracking().Where(s => s.LeadId == id).OrderBy(s => s.SubmittedAt)
                .Select(s => new { form = db.Set<Forms.Form>().Where(f => f.Id == s.FormId).Select(f => f.Key).FirstOrDefault(), s.SubmittedAt, s.ConsentText, s.Ip, s.UserAgent,
                    s.PageUrl, s.ConfirmationRequired, s.ConfirmedAt }).ToListAsync(ct))),
        };
        return export;
    }

}
