using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Rendering;
using NurtureEngine.Sequences;
using NurtureEngine.Settings;
using NurtureEngine.Templates;

namespace NurtureEngine.Mail;

/// <summary>
/// Renders an email step into the outbox: one message, ready to send, stored by the caller's next save
/// (in the same transaction as the step's new position; the unique (enrollment, step, pass) key still guards it).
/// </summary>
public sealed class MessageFactory(NurtureDbContext db, EmailComposer composer, UnitOfWork work, InstallationSettings settings, TimeProvider clock)
{
    public async Task<Message> CreateAsync(Lead lead, string toAddress, TemplateVersion version, MessageKind kind,
        Enrollment? enrollment, string? stepId, CancellationToken ct)
    {
        var message = await ComposeAsync(lead, toAddress, version, kind, enrollment, stepId, ct);
        db.Messages.Add(message);
        work.WorkDueAt(message.NotBefore);
        return message;
    }

    /// <summary>Renders the message without adding it to the unit of work: for callers that write many at once (<see cref="OutboxWriter"/>).</summary>
    public async Task<Message> ComposeAsync(Lead lead, string toAddress, TemplateVersion version, MessageKind kind,
        Enrollment? enrollment, string? stepId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var sender = settings.Nurture.Sender;
        var message = new Message
        {
            LeadId = lead.Id, EnrollmentId = enrollment?.Id, SequenceId = enrollment?.SequenceId, StepId = stepId, Pass = enrollment?.Pass ?? 0,
            TemplateVersionId = version.Id, Kind = kind, ToAddress = toAddress, FromAddress = sender.Email, FromName = sender.Name,
            Subject = "", Html = "", Text = "", MessageIdHeader = "", CreatedAt = now, NotBefore = now,
        };
        message.MessageIdHeader = $"{message.Id:N}@{sender.Domain}";
        var email = await composer.ComposeAsync(version, lead, message.Id, kind == MessageKind.Marketing, ct);
        message.Subject = email.Subject;
        message.Html = email.Html;
        message.Text = email.Text;
        message.Links = email.Links;
        return message;
    }

    /// <summary>Records a step's email that was not sent (suppressed), keeping the (enrollment, step, pass) slot used.</summary>
    public Message CreateSuppressed(Lead lead, Enrollment enrollment, string stepId, string reason) =>
        CreateUnsent(lead, MessageStatus.Suppressed, reason, enrollment, stepId);

    /// <summary>An email that was never queued (suppressed, or failed to render), recorded so its slot stays used.</summary>
    public Message CreateUnsent(Lead lead, MessageStatus status, string reason, Enrollment? enrollment = null, string? stepId = null)
    {
        var now = clock.GetUtcNow();
        var message = new Message
        {
            LeadId = lead.Id, EnrollmentId = enrollment?.Id, SequenceId = enrollment?.SequenceId, StepId = stepId, Pass = enrollment?.Pass ?? 0,
            Status = status, ToAddress = lead.Email, FromAddress = settings.Nurture.Sender.Email,
            Subject = "", Html = "", Text = "", Error = reason, MessageIdHeader = $"{Guid.NewGuid():N}@{settings.Nurture.Sender.Domain}",
            CreatedAt = now, NotBefore = now,
        };
        db.Messages.Add(message);
        return message;
    }

    public Task<bool> ExistsAsync(Enrollment enrollment, string stepId, CancellationToken ct) =>
        db.Messages.AnyAsync(m => m.EnrollmentId == enrollment.Id && m.StepId == stepId && m.Pass == enrollment.Pass, ct);
}
