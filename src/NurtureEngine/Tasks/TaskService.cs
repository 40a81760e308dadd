using System.Net;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Sequences;
using NurtureEngine.Settings;
using NurtureEngine.Timeline;
using NurtureEngine.Tracking;

namespace NurtureEngine.Tasks;

public sealed record TaskDto(long Id, Guid LeadId, string LeadEmail, string LeadName, string Owner, string Title, DateTimeOffset DueAt,
    string Status, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? DoneAt, string? DoneBy, string Source);

public sealed record TaskQuery(string? Owner = null, string? Status = null, Guid? LeadId = null, DateTimeOffset? DueBefore = null, int Limit = 200);

/// <summary>The reps' to-do list (API.md "Tasks"): tasks from <c>task</c> steps and by hand, done with one click, reminded once when due.</summary>
public sealed class TaskService(NurtureDbContext db, UnitOfWork work, TimelineWriter timeline, PublicUrls urls, InstallationSettings settings, TemplateRenderer renderer, TimeProvider clock)
{
    public const string DefaultDue = "P1D";

    /// <summary>A <c>task</c> step: a task for the lead's owner, once per enrollment, inside the runner's transaction.</summary>
    public async Task CreateForStepAsync(Lead lead, Enrollment enrollment, Step step, string sequenceName, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(lead.Owner))
        {
            timeline.Add(lead.Id, ActivityKind.StepSkipped, $"\"{sequenceName}\" step {step.Id}: the lead has no owner to give a task to",
                new { step = step.Id }, sequenceId: enrollment.SequenceId, stepId: step.Id);
            return;
        }
        if (await db.SalesTasks.AnyAsync(t => t.EnrollmentId == enrollment.Id && t.StepId == step.Id, ct)) return;
        var now = clock.GetUtcNow();
        var task = new SalesTask
        {
            LeadId = lead.Id, Owner = lead.Owner, Title = await RenderTitleAsync(step.Title ?? "Follow up", lead, now, ct), DueAt = now + (Iso8601Duration.TryParse(step.Due ?? DefaultDue) ?? TimeSpan.FromDays(1)),
            CreatedAt = now, CreatedBy = $"sequence {sequenceName}", EnrollmentId = enrollment.Id, SequenceId = enrollment.SequenceId, StepId = step.Id,
        };
        db.SalesTasks.Add(task);
        await db.SaveChangesAsync(ct);
        timeline.Add(lead.Id, ActivityKind.TaskCreated, $"Task for {task.Owner}: \"{task.Title}\", due {task.DueAt:u}",
            new { task = task.Id, owner = task.Owner, title = task.Title, due = task.DueAt }, sequenceId: enrollment.SequenceId, stepId: step.Id);
    }

    /// <summary>
    /// A step's title is a Scriban template with the email model ("Call {{ lead.first_name }} at {{ lead.company }}"),
    /// rendered sandboxed as subjects are. Should it fail as it runs, the task keeps the title as written: a task is never lost to a typo.
    /// </summary>
    private async Task<string> RenderTitleAsync(string source, Lead lead, DateTimeOffset now, CancellationToken ct)
    {
        if (!source.Contains("{{", StringComparison.Ordinal) && !source.Contains("{%", StringComparison.Ordinal)) return source;
        var keys = await db.Stages.Where(s => s.Id == lead.StageId).Select(s => new { Pipeline = s.Pipeline.Key, s.Key }).FirstOrDefaultAsync(ct);
        var leadUrl = $"{urls.BaseUrl}/leads/{lead.Id}";
        var model = TemplateModel.For(lead, keys?.Key, keys?.Pipeline, settings.Nurture.Sender, new TemplateModel.Links(leadUrl, leadUrl), now);
        try
        {
            var title = HeaderText.OneLine(renderer.Render(null, "title", source, model, escapeHtml: false));
            return title.Length == 0 ? source : title.Length > InputLimits.MaxTitleChars ? title[..InputLimits.MaxTitleChars] : title;
        }
        catch (TemplateRenderException) { return source; }
    }

    /// <summary>A task made by hand; the owner defaults to the lead's owner, else the person making it.</summary>
    public Task<TaskDto> CreateAsync(Guid leadId, string? title, DateTimeOffset? dueAt, string? owner, string createdBy, CancellationToken ct) =>
        work.RunAsync(async c =>
        {
            var errors = new Errors();
            if (InputLimits.NameProblem(title, InputLimits.MaxTitleChars) is { } titleProblem) errors.Add("title", titleProblem);
            if (owner is not null && !EmailAddress.IsValid(owner)) errors.Add("owner", "must be an email address");
            errors.ThrowIfAny();
            var lead = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.Id == leadId, c) ?? throw new ValidationException("leadId", "unknown lead");
            var now = clock.GetUtcNow();
            var task = new SalesTask
            {
                LeadId = lead.Id, Owner = (owner ?? lead.Owner ?? createdBy).Trim().ToLowerInvariant(), Title = title!.Trim(),
                DueAt = dueAt ?? now + TimeSpan.FromDays(1), CreatedAt = now, CreatedBy = createdBy,
            };
            db.SalesTasks.Add(task);
            await db.SaveChangesAsync(c);
            timeline.Add(lead.Id, ActivityKind.TaskCreated, $"Task for {task.Owner}: \"{task.Title}\", due {task.DueAt:u} (by {createdBy})",
                new { task = task.Id, owner = task.Owner, title = task.Title, due = task.DueAt, by = createdBy });
            return ToDto(task, lead);
        }, ct);

    public async Task<IReadOnlyList<TaskDto>> ListAsync(TaskQuery q, CancellationToken ct)
    {
        var query = db.SalesTasks.AsNoTracking().AsQueryable();
        if (!string.IsNullOrWhiteSpace(q.Owner)) { var o = q.Owner.Trim().ToLowerInvariant(); query = query.Where(t => t.Owner == o); }
        if (q.Status is not null)
        {
            if (!Enum.TryParse<SalesTaskStatus>(q.Status, ignoreCase: true, out var status)) throw new ValidationException("status", "must be open or done");
            query = query.Where(t => t.Status == status);
        }
        if (q.LeadId is { } leadId) query = query.Where(t => t.LeadId == leadId);
        if (q.DueBefore is { } before) query = query.Where(t => t.DueAt < before);
        if (q.Limit is < 1 or > 500) throw new ValidationException("limit", "must be between 1 and 500");
        var rows = await query.OrderBy(t => t.Status).ThenBy(t => t.DueAt).ThenBy(t => t.Id).Take(q.Limit)
            .Join(db.Leads, t => t.LeadId, l => l.Id, (t, l) => new { Task = t, Lead = l }).ToListAsync(ct);
        return rows.Select(r => ToDto(r.Task, r.Lead)).ToList();
    }

    /// <summary>Marks a task done; doing it twice is harmless and keeps the first record. With <paramref name="onlyOwner"/>, another person's task is not found.</summary>
    /// <param name="onlyOwner">A SalesRep completes only tasks they own; another's task is not found.</param>
    /// <param name="onlyLead">From a lead's page: the task must belong to that lead.</param>
    public Task<TaskDto> DoneAsync(long id, string by, CancellationToken ct, string? onlyOwner = null, Guid? onlyLead = null) => work.RunAsync(async c =>
    {
        var task = await db.SalesTasks.FirstOrDefaultAsync(t => t.Id == id && (onlyOwner == null || t.Owner == onlyOwner) && (onlyLead == null || t.LeadId == onlyLead), c)
            ?? throw new NotFoundException($"Task {id}");
        var lead = await db.Leads.ForUpdate().SingleAsync(l => l.Id == task.LeadId, c);
        if (task.Status == SalesTaskStatus.Open)
        {
            task.Status = SalesTaskStatus.Done;
            task.DoneAt = clock.GetUtcNow();
            task.DoneBy = by;
            timeline.Add(lead.Id, ActivityKind.TaskDone, $"Task done: \"{task.Title}\" (by {by})", new { task = task.Id, by });
        }
        return ToDto(task, lead);
    }, ct);

    /// <summary>
    /// Queues one reminder email per task that fell due. The task row is claimed with SKIP LOCKED and
    /// marked reminded in the same transaction as the outbox row, so two workers never remind twice.
    /// </summary>
    public Task<int> SendDueRemindersAsync(int limit, CancellationToken ct) => work.RunAsync(async c =>
    {
        var now = clock.GetUtcNow();
        var due = await db.SalesTasks.FromSql($"""
            SELECT * FROM nurture.sales_task WHERE status = 'Open' AND reminded_at IS NULL AND due_at <= {now}
            ORDER BY due_at LIMIT {limit} FOR UPDATE SKIP LOCKED
            """).ToListAsync(c);
        var sender = settings.Nurture.Sender;
        foreach (var task in due)
        {
            var lead = await db.Leads.AsNoTracking().SingleAsync(l => l.Id == task.LeadId, c);
            var link = $"{urls.BaseUrl}/leads/{lead.Id}";
            var message = InternalMessage.Create(lead.Id, task.Owner, sender, $"Task due: {task.Title} ({lead.DisplayName})",
                $"<p>Your task <strong>{WebUtility.HtmlEncode(task.Title)}</strong> for {WebUtility.HtmlEncode(lead.DisplayName)} &lt;{WebUtility.HtmlEncode(lead.Email)}&gt; is due.</p><p><a href=\"{WebUtility.HtmlEncode(link)}\">Open the lead</a></p>",
                $"Your task \"{task.Title}\" for {lead.DisplayName} <{lead.Email}> is due.\n\nOpen the lead: {link}\n", now);
            db.Messages.Add(message);
            task.RemindedAt = now;
        }
        if (due.Count > 0) work.WorkDueNow();
        return due.Count;
    }, ct);

    private static TaskDto ToDto(SalesTask t, Lead l) => new(t.Id, t.LeadId, l.Email, l.DisplayName, t.Owner, t.Title, t.DueAt,
        t.Status.ToString().ToLowerInvariant(), t.CreatedAt, t.CreatedBy, t.DoneAt, t.DoneBy,
        t.StepId is null ? "manual" : $"sequence step {t.StepId}");
}
