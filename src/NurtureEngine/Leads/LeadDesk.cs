using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;

namespace NurtureEngine.Leads;

public sealed record StageHistoryEntry(DateTimeOffset At, string? From, string To, string Cause);
public sealed record EnrollmentEntry(string SequenceKey, string SequenceName, int Version, string Status, string? CurrentStep,
    DateTimeOffset? NextStepAt, DateTimeOffset EnrolledAt, DateTimeOffset? EndedAt, string? EndReason);
public sealed record SentEmail(Guid Id, string Kind, string Status, string To, string Subject, string Html, string Text, DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt, string? StepId, string? Error);
public sealed record Qualification(string? Budget, string? Authority, string? Need, string? Timeline)
{
    public static readonly string[] Keys = ["budget", "authority", "need", "timeline"];
}

/// <summary>
/// What a sales rep reads and does on a lead's page: stage history, enrollments, emails as sent,
/// notes and the BANT qualification (kept as lead attributes, so templates and conditions see it).
/// </summary>
public sealed class LeadDesk(NurtureDbContext db, UnitOfWork work, TimelineWriter timeline, LeadService leads)
{
    public async Task<IReadOnlyList<StageHistoryEntry>> StageHistoryAsync(Guid leadId, CancellationToken ct) =>
        await db.StageChanges.AsNoTracking().Where(c => c.LeadId == leadId).OrderByDescending(c => c.At).ThenByDescending(c => c.Id)
            .Select(c => new StageHistoryEntry(c.At, db.Stages.Where(s => s.Id == c.FromStageId).Select(s => s.Name).FirstOrDefault(),
                db.Stages.Where(s => s.Id == c.ToStageId).Select(s => s.Name).First(), c.Cause))
            .ToListAsync(ct);

    public async Task<IReadOnlyList<EnrollmentEntry>> EnrollmentsAsync(Guid leadId, CancellationToken ct) =>
        await db.Enrollments.AsNoTracking().Where(e => e.LeadId == leadId).OrderByDescending(e => e.EnrolledAt)
            .Join(db.Sequences, e => e.SequenceId, s => s.Id, (e, s) => new { e, s })
            .Select(x => new EnrollmentEntry(x.s.Key, x.s.Name, db.SequenceVersions.Where(v => v.Id == x.e.SequenceVersionId).Select(v => v.Version).First(),
                x.e.Status.ToString(), x.e.CurrentStepId, x.e.NextStepAt, x.e.EnrolledAt, x.e.EndedAt, x.e.EndReason))
            .ToListAsync(ct);

    /// <summary>An email exactly as it was stored in the outbox (and sent).</summary>
    public async Task<SentEmail?> EmailAsync(Guid leadId, Guid messageId, CancellationToken ct) =>
        await db.Messages.AsNoTracking().Where(m => m.LeadId == leadId && m.Id == messageId)
            .Select(m => new SentEmail(m.Id, m.Kind.ToString(), m.Status.ToString(), m.ToAddress, m.Subject, m.Html, m.Text, m.CreatedAt, m.SentAt, m.StepId, m.Error))
            .FirstOrDefaultAsync(ct);

    public Task AddNoteAsync(Guid leadId, string? text, string author, CancellationToken ct) => work.RunAsync(async c =>
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ValidationException("note", "write something first");
        if (text.Length > InputLimits.MaxNoteChars) throw new ValidationException("note", $"must be at most {InputLimits.MaxNoteChars:N0} characters");
        if (!await db.Leads.AnyAsync(l => l.Id == leadId, c)) throw new NotFoundException("Lead");
        // The summary is a one-line preview; the whole note is in data.
        var oneLine = text.Trim().ReplaceLineEndings(" ");
        timeline.Add(leadId, ActivityKind.Note, $"Note by {author}: {oneLine}", new { text = text.Trim(), author });
    }, ct);

    public static Qualification QualificationOf(JsonObject attributes) => new(
        Text(attributes["budget"]), Text(attributes["authority"]), Text(attributes["need"]), Text(attributes["timeline"]));

    /// <summary>Stores BANT as attributes through the ordinary lead update (one timeline entry, cause admin).</summary>
    public async Task<LeadDto> QualifyAsync(Guid leadId, Qualification q, CancellationToken ct)
    {
        var lead = await leads.GetAsync(leadId, ct) ?? throw new NotFoundException("Lead");
        var attributes = new JsonObject();
        foreach (var (key, value) in Qualification.Keys.Zip([q.Budget, q.Authority, q.Need, q.Timeline]))
        {
            if (value is { Length: > 500 }) throw new ValidationException(key, "must be at most 500 characters");
            attributes[key] = string.IsNullOrWhiteSpace(value) ? null : JsonValue.Create(value.Trim());
        }
        var result = await leads.UpsertAsync(new LeadInput { Email = lead.Email, Attributes = attributes }, StageChangeCause.Admin, ct);
        return result.Lead;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString();
}
