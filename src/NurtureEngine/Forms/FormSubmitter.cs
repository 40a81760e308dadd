using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Timeline;
using NurtureEngine.Website;

namespace NurtureEngine.Forms;

/// <summary>What a visitor sent: the field values by field name, and what the page adds.</summary>
public sealed record SubmissionInput(IReadOnlyDictionary<string, string?> Values, string? Honeypot, string? Stamp,
    string? PageUrl, string? Visitor, string? Ip, string? UserAgent);

/// <summary>The outcome the public page shows: a confirmation email is on its way, or the lead is in.</summary>
public sealed record SubmissionResult(Form Form, FormDefinition Definition, bool ConfirmationRequired);

/// <summary>A submission a bot made (honeypot filled, sent too fast, a forged stamp): refused, nothing stored.</summary>
public sealed class BotSubmissionException(string reason) : Exception(reason);

public enum ConfirmOutcome { Invalid, Expired, Confirmed, AlreadyConfirmed }

public sealed record ConfirmResult(ConfirmOutcome Outcome, Form? Form, FormDefinition? Definition);

/// <summary>
/// Form submissions and double opt-in. A submission upserts the lead (never its owner, never re-subscribing
/// a lead that left), records <c>form_submitted</c> and the consent record in one transaction; with double
/// opt-in a new or unsubscribed lead becomes <c>pending</c> and gets only the confirmation email, and its
/// <c>form_submitted</c> reactions (scoring, triggers) run when the link is opened.
/// </summary>
public sealed class FormSubmitter(NurtureDbContext db, UnitOfWork work, LeadService leads, TimelineWriter timeline, ScoreKeeper scores,
    SequenceReactions reactions, EngagementRecorder engagement, ConfirmationMailer mailer, ConfirmationHold held, FormTokens tokens, WebsiteTracker website,
    IOptions<FormOptions> options, TimeProvider clock)
{
    public async Task<Form?> FindAsync(string key, CancellationToken ct) =>
        Slug.IsKey(key) ? await db.Set<Form>().AsNoTracking().FirstOrDefaultAsync(f => f.Key == key, ct) : null;

    public Task CountViewAsync(Form form, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"UPDATE nurture.form SET views = views + 1 WHERE id = {form.Id}", ct);

    public async Task<SubmissionResult> SubmitAsync(Form form, SubmissionInput input, CancellationToken ct)
    {
        var definition = Json.Deserialize<FormDefinition>(form.DefinitionJson);
        CheckNotABot(form, input);
        var (leadInput, submitted) = Read(definition, input.Values);
        leadInput.Tags = definition.Tags;
        var now = clock.GetUtcNow();
        var confirmationRequired = await CreateRace.RetryAsync(db, () => work.RunAsync(async c =>
        {
            var normalized = Lead.Normalize(leadInput.Email!);
            var existing = await db.Leads.ForUpdate().FirstOrDefaultAsync(l => l.EmailNormalized == normalized, c);
            if (existing is null)
            {
                leadInput.Source = definition.Source ?? $"form:{form.Key}";
                leadInput.Pipeline = definition.Pipeline;
                leadInput.Stage = definition.Stage;
            }
            var (lead, created) = await leads.UpsertInUnitAsync(leadInput, "form", c);
            lead.LastTouchSource = definition.Source ?? $"form:{form.Key}";
            var confirm = definition.DoubleOptIn && (created || lead.Status is LeadStatus.Unsubscribed or LeadStatus.Pending);
            if (confirm && lead.Status != LeadStatus.Pending)
            {
                lead.Status = LeadStatus.Pending;
                lead.StatusReason = $"awaiting confirmation of form {form.Key}";
                lead.UpdatedAt = now;
            }
            var submission = new FormSubmission
            {
                FormId = form.Id, LeadId = lead.Id, SubmittedAt = now, ConfirmationRequired = confirm, ConsentText = definition.ConsentText,
                Ip = input.Ip, UserAgent = Truncate(input.UserAgent, 500), PageUrl = Truncate(input.PageUrl, 2000), FieldsJson = Json.Serialize(submitted),
            };
            db.Add(submission);
            if (definition.ConsentText is { } text)
                timeline.Add(lead.Id, ActivityKind.ConsentGiven, $"Consent given via form {form.Name}",
                    new { source = $"form:{form.Key}", form = form.Key, text, ip = input.Ip, userAgent = submission.UserAgent, at = now, submission = submission.Id });
            var activity = timeline.Add(lead.Id, ActivityKind.FormSubmitted, $"Submitted form {form.Name}",
                new { form = form.Key, fields = submitted, pageUrl = submission.PageUrl, submission = submission.Id });
            if (input.Visitor is { } visitor) await website.IdentifyAsync(visitor, lead, c);
            if (confirm) await mailer.QueueAsync(lead, form, definition, submission, c); // none beyond the day's few: the earlier links still work
            else await engagement.RecordAsync(lead, activity, FormProperties(form), c);
            return confirm;
        }, ct));
        return new SubmissionResult(form, definition, confirmationRequired);
    }

    /// <summary>The confirmation link: signed, expiring, idempotent (a second visit changes nothing and shows the same page).</summary>
    public async Task<ConfirmResult> ConfirmAsync(string token, CancellationToken ct)
    {
        if (tokens.ReadConfirmation(token) is not { } parsed) return new(ConfirmOutcome.Invalid, null, null);
        var now = clock.GetUtcNow();
        return await work.RunAsync(async c =>
        {
            var found = await db.Set<FormSubmission>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == parsed.SubmissionId, c);
            if (found is null) return new ConfirmResult(ConfirmOutcome.Invalid, null, null);
            var form = await db.Set<Form>().AsNoTracking().SingleAsync(f => f.Id == found.FormId, c);
            var definition = Json.Deserialize<FormDefinition>(form.DefinitionJson);
            // The lead's lock first, then the submissions as they are now: two links opened at once confirm once.
            var lead = await db.Leads.ForUpdate().FirstAsync(l => l.Id == found.LeadId, c);
            var awaiting = await db.Set<FormSubmission>()
                .Where(s => s.LeadId == lead.Id && s.FormId == form.Id && s.ConfirmationRequired && s.ConfirmedAt == null).ToListAsync(c);
            if (awaiting.Find(s => s.Id == found.Id) is not { } submission) return new ConfirmResult(ConfirmOutcome.AlreadyConfirmed, form, definition);
            if (parsed.Expires < now) return new ConfirmResult(ConfirmOutcome.Expired, form, definition);
            // Every link of the form's confirmation emails confirms the same thing: the others are answered "already confirmed".
            foreach (var each in awaiting) each.ConfirmedAt = now;
            if (lead.Status == LeadStatus.Pending)
            {
                lead.Status = LeadStatus.Subscribed;
                lead.StatusReason = null;
                lead.UpdatedAt = now;
                // The welcome email the form's stage started, held while the lead was pending, goes out now.
                if (await held.ReleaseAsync(lead.Id, now, c) > 0) work.WorkDueAt(now);
            }
            timeline.Add(lead.Id, ActivityKind.ConsentConfirmed, $"Confirmed the subscription (form {form.Name})",
                new { form = form.Key, submission = submission.Id, submittedAt = submission.SubmittedAt, confirmedAt = now, consentText = submission.ConsentText });
            await db.SaveChangesAsync(c);
            // Only now do the submission's reactions run: scoring rules and form_submitted / event triggers.
            var properties = FormProperties(form);
            await scores.ApplyRulesAsync(lead, ActivityKind.FormSubmitted, properties, c);
            await reactions.OnEventAsync(lead, ActivityKind.FormSubmitted, properties, c);
            return new ConfirmResult(ConfirmOutcome.Confirmed, form, definition);
        }, ct);
    }

    /// <summary>The name of the hidden fill-time stamp field every rendered form carries.</summary>
    public const string StampField = "_ts";

    private static JsonObject FormProperties(Form form) => new() { ["form"] = form.Key };

    private void CheckNotABot(Form form, SubmissionInput input)
    {
        if (!string.IsNullOrEmpty(input.Honeypot)) throw new BotSubmissionException("honeypot field filled in");
        // Every form we render carries the stamp (hosted, embedded, the builder's plain HTML): a post without one
        // is a script posting straight at the endpoint, the commonest bot, which the honeypot never sees.
        if (input.Stamp is null)
        {
            if (options.Value.MinFillSeconds > 0) throw new BotSubmissionException($"the form's timestamp ({StampField}) is missing");
            return;
        }
        if (tokens.ReadStamp(form.Key, input.Stamp) is not { } renderedAt) throw new BotSubmissionException("the form's timestamp is not ours");
        var elapsed = clock.GetUtcNow() - renderedAt;
        if (elapsed < TimeSpan.FromSeconds(options.Value.MinFillSeconds)) throw new BotSubmissionException($"filled in {elapsed.TotalSeconds:0.0} s after it was shown");
    }

    /// <summary>Checks each field's value against the form (errors named by field); the lead input and the submitted values.</summary>
    public static (LeadInput Lead, Dictionary<string, object?> Submitted) Read(FormDefinition d, IReadOnlyDictionary<string, string?> values)
    {
        var errors = new Errors();
        var lead = new LeadInput();
        var attributes = new JsonObject();
        var submitted = new Dictionary<string, object?>();
        foreach (var field in d.Fields ?? [])
        {
            var name = field.Name!;
            var raw = field.Type == FieldType.Hidden && field.Value is not null ? field.Value : values.GetValueOrDefault(name)?.Trim();
            if (raw is not null && InputText.Problem(raw) is { } problem) { errors.Add(name, problem); continue; }
            if (raw is { Length: > 500 }) { errors.Add(name, "must be at most 500 characters"); continue; }
            object? value = raw is { Length: > 0 } ? raw : null;
            switch (field.Type)
            {
                case FieldType.Checkbox:
                    var on = raw is { Length: > 0 } && raw.ToLowerInvariant() is "on" or "true" or "yes" or "1";
                    if (field.Required && !on) errors.Add(name, "must be ticked");
                    value = on;
                    break;
                case FieldType.Email when raw is { Length: > 0 } && !EmailAddress.IsValid(raw):
                    errors.Add(name, "must be a valid email address");
                    break;
                case FieldType.Select when raw is { Length: > 0 } && !(field.Options ?? []).Contains(raw):
                    errors.Add(name, "must be one of the listed options");
                    break;
            }
            if (field.Type != FieldType.Checkbox && field.Required && value is null) errors.Add(name, "is required");
            if (raw is not null && raw.Any(ch => char.IsControl(ch))) errors.Add(name, "must be one line of text");
            submitted[name] = value;
            if (value is null) continue;
            if (name.StartsWith(FormRules.AttributePrefix, StringComparison.Ordinal)) attributes[name[FormRules.AttributePrefix.Length..]] = value is bool b ? JsonValue.Create(b) : JsonValue.Create((string)value);
            else if (value is string s) SetLeadField(lead, name, s);
        }
        if (lead.Email is null && !errors.Any) errors.Add("email", "is required");
        errors.ThrowIfAny();
        if (attributes.Count > 0) lead.Attributes = attributes;
        return (lead, submitted);
    }

    private static void SetLeadField(LeadInput lead, string name, string value)
    {
        switch (name)
        {
            case "email": lead.Email = value; break;
            case "firstName": lead.FirstName = value; break;
            case "lastName": lead.LastName = value; break;
            case "company": lead.Company = value; break;
            case "jobTitle": lead.JobTitle = value; break;
            case "phone": lead.Phone = value; break;
        }
    }

    private static string? Truncate(string? s, int max) => s is null ? null : s.Length > max ? s[..max] : s;
}
