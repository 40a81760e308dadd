using System.Net;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;
using NurtureEngine.Timeline;
using NurtureEngine.Tracking;

namespace NurtureEngine.Forms;

/// <summary>
/// The double opt-in email: the form's <c>confirmTemplate</c> (which may print <c>{{ confirm_url }}</c>
/// and <c>{{ form.name }}</c>) or a built-in one, queued in the outbox in the submission's transaction and
/// sent at once (the workers are nudged after commit). It is the only email a pending lead gets: it is
/// not marketing (no tracking, no unsubscribe footer), so the marketing screens do not hold it back.
/// </summary>
public sealed class ConfirmationMailer(NurtureDbContext db, EmailComposer composer, TemplateRenderer renderer, FormTokens tokens,
    PublicUrls urls, InstallationSettings settings, UnitOfWork work, TimelineWriter timeline, IOptions<FormOptions> options, TimeProvider clock)
{
    /// <summary>Queues the email; false (nothing queued) when the lead already had its day's confirmation emails.</summary>
    public async Task<bool> QueueAsync(Lead lead, Form form, FormDefinition definition, FormSubmission submission, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = now.AddDays(-1);
        var sent = await db.Activities.CountAsync(a => a.LeadId == lead.Id && a.Kind == ActivityKind.ConfirmationSent && a.At >= since, ct);
        if (sent >= options.Value.ConfirmationsPerDay) return false;
        var link = $"{urls.BaseUrl}/c/{tokens.Confirmation(submission.Id, now.AddDays(options.Value.ConfirmDays))}";
        var sender = settings.Nurture.Sender;
        var (subject, html, text) = await RenderAsync(lead, form, definition, link, ct);
        var message = new Message
        {
            LeadId = lead.Id, Kind = MessageKind.Internal, ToAddress = lead.Email, FromAddress = sender.Email, FromName = sender.Name,
            Subject = subject, Html = html, Text = text, MessageIdHeader = "", CreatedAt = now, NotBefore = now,
        };
        message.MessageIdHeader = $"{message.Id:N}@{sender.Domain}";
        db.Messages.Add(message);
        timeline.Add(lead.Id, ActivityKind.ConfirmationSent, $"Confirmation email sent for form {form.Name}", new { form = form.Key, submission = submission.Id }, message.Id);
        work.WorkDueNow();
        return true;
    }

    private async Task<(string Subject, string Html, string Text)> RenderAsync(Lead lead, Form form, FormDefinition d, string link, CancellationToken ct)
    {
        if (d.ConfirmTemplate is { } key && await composer.LatestVersionAsync(key, ct) is { } version)
        {
            var model = TemplateModel.For(lead, null, null, settings.Nurture.Sender, new TemplateModel.Links("", ""), clock.GetUtcNow());
            model["confirm_url"] = link;
            model["form"] = new Scriban.Runtime.ScriptObject { ["name"] = form.Name, ["key"] = form.Key };
            var subject = HeaderText.OneLine(renderer.Render(null, "subject", version.Subject, model, escapeHtml: false));
            var html = renderer.Render(null, "html", version.Html, model, escapeHtml: true);
            var text = version.Text is { Length: > 0 } t ? renderer.Render(null, "text", t, model, escapeHtml: false) : HtmlToText.Convert(html);
            // A template that forgets the link would leave the lead pending for ever: the link is added.
            if (!html.Contains(link, StringComparison.Ordinal)) html += $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">Confirm your subscription</a></p>";
            if (!text.Contains(link, StringComparison.Ordinal)) text += $"\n\nConfirm your subscription: {link}\n";
            return (subject, html, text);
        }
        var name = WebUtility.HtmlEncode(settings.Nurture.Sender.Name);
        return ($"Please confirm your subscription to {settings.Nurture.Sender.Name}",
            $"""
            <!DOCTYPE html><html><body style="font-family:sans-serif;color:#1f2933">
            <p>Hello{(lead.FirstName is { Length: > 0 } first ? " " + WebUtility.HtmlEncode(first) : "")},</p>
            <p>Please confirm that you want to hear from {name} (you filled in &ldquo;{WebUtility.HtmlEncode(form.Name)}&rdquo;):</p>
            <p><a href="{WebUtility.HtmlEncode(link)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px">Confirm my subscription</a></p>
            <p>If you did not ask for this, ignore this email: you will not hear from us.</p>
            </body></html>
            """,
            $"Hello{(lead.FirstName is { Length: > 0 } f ? " " + f : "")},\n\nPlease confirm that you want to hear from {settings.Nurture.Sender.Name} (you filled in \"{form.Name}\"):\n\n{link}\n\nIf you did not ask for this, ignore this email: you will not hear from us.\n");
    }
}
