using NurtureEngine.Mail;
using NurtureEngine.Rendering;
using NurtureEngine.Settings;

namespace NurtureEngine.Templates;

public sealed record LintReport(IReadOnlyList<LintFinding> Findings, SpamReport? Spam, bool SpamScored);

/// <summary>
/// The editor's linter: the draft composed exactly as a lead would get it, checked by
/// <see cref="EmailLinter"/>, and the MIME message the sender would build scored by SpamAssassin
/// where it is installed. A score at or above SpamAssassin's threshold is a finding, and so is any
/// rule about how the message is built.
/// </summary>
public sealed class TemplateLinter(TemplateService templates, MimeMessageBuilder mime, InstallationSettings settings, TimeProvider clock)
{
    public async Task<LintReport> LintAsync(TemplateInput draft, PreviewInput lead, CancellationToken ct)
    {
        var email = await templates.ComposeDraftAsync(draft, lead, ct);
        return await LintAsync(email, scoreSpam: true, ct);
    }

    /// <summary>Without <paramref name="scoreSpam"/> SpamAssassin (a second or more) is not run.</summary>
    public async Task<LintReport> LintAsync(ComposedEmail email, bool scoreSpam, CancellationToken ct)
    {
        var findings = EmailLinter.Check(email).ToList();
        var spam = scoreSpam && SpamAssassinCheck.IsAvailable ? await SpamAssassinCheck.ScoreAsync(mime.Build(SampleMessage(email)), ct) : null;
        if (spam is not null)
        {
            if (spam.Score >= spam.Required)
                findings.Add(new("spam-score", $"SpamAssassin scores this {spam.Score:0.0} (spam from {spam.Required:0.0}): {string.Join(", ", spam.Rules.Where(r => r.Points > 0).Select(r => r.Name))}."));
            foreach (var rule in spam.Rules.Where(r => SpamAssassinCheck.IsConstructionRule(r.Name)))
                findings.Add(new("spam-construction", $"SpamAssassin: {rule.Name} ({rule.Description})."));
        }
        return new LintReport(findings, spam, spam is not null);
    }

    private Message SampleMessage(ComposedEmail email)
    {
        var sender = settings.Nurture.Sender;
        var id = Guid.CreateVersion7();
        return new Message
        {
            Id = id, ToAddress = "lead@example.com", FromAddress = sender.Email, FromName = sender.Name, Subject = email.Subject,
            Html = email.Html, Text = email.Text, MessageIdHeader = $"{id:N}@{sender.Domain}", CreatedAt = clock.GetUtcNow(),
        };
    }
}
