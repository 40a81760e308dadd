using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NurtureEngine.Leads;

namespace NurtureEngine.Forms;

/// <summary>A lead-capture form (API.md "Forms and double opt-in"): its definition as the marketer wrote it, and its view count.</summary>
public sealed class Form
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public required string DefinitionJson { get; set; }
    /// <summary>How often the hosted page or the embed script was loaded (the report's "views").</summary>
    public long Views { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One accepted submission, which is also the consent record (GDPR art. 7(1)): the exact consent
/// text shown, when, from which IP and browser, and when (if ever) the address was confirmed.
/// </summary>
public sealed class FormSubmission
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public long FormId { get; set; }
    public Guid LeadId { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    /// <summary>Double opt-in: set when the confirmation link was opened (null: not yet, or no double opt-in).</summary>
    public DateTimeOffset? ConfirmedAt { get; set; }
    /// <summary>A confirmation email was sent for this submission and its link is awaited.</summary>
    public bool ConfirmationRequired { get; set; }
    public string? ConsentText { get; set; }
    public string? Ip { get; set; }
    public string? UserAgent { get; set; }
    public string? PageUrl { get; set; }
    public string FieldsJson { get; set; } = "{}";
}

sealed class FormConfiguration : IEntityTypeConfiguration<Form>
{
    public void Configure(EntityTypeBuilder<Form> b)
    {
        b.HasIndex(f => f.Key).IsUnique();
        b.Property(f => f.DefinitionJson).HasColumnName("definition").HasColumnType("jsonb");
    }
}

sealed class FormSubmissionConfiguration : IEntityTypeConfiguration<FormSubmission>
{
    public void Configure(EntityTypeBuilder<FormSubmission> b)
    {
        b.Property(s => s.FieldsJson).HasColumnName("fields").HasColumnType("jsonb");
        b.HasIndex(s => new { s.FormId, s.SubmittedAt });
        b.HasIndex(s => s.LeadId);
        b.HasOne<Form>().WithMany().HasForeignKey(s => s.FormId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Lead>().WithMany().HasForeignKey(s => s.LeadId).OnDelete(DeleteBehavior.Cascade);
    }
}
