namespace NurtureEngine.Timeline;

/// <summary>
/// Everything that happened to a lead: the timeline and the event log in one table.
/// Custom behaviour events (kind <c>event</c>) and engagement (email_opened, ...) are rows here,
/// written in the same transaction as the change they describe.
/// </summary>
public sealed class Activity
{
    public long Id { get; set; }
    public Guid LeadId { get; set; }
    public required string Kind { get; set; }
    /// <summary>The event type for scoring and triggers: the kind, or a custom event's own type.</summary>
    public required string EventType { get; set; }
    public required string Summary { get; set; }
    public string DataJson { get; set; } = "{}";
    public DateTimeOffset At { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public string? IdempotencyKey { get; set; }
    public Guid? MessageId { get; set; }
    public long? SequenceId { get; set; }
    public string? StepId { get; set; }
}

public static class ActivityKind
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string StageChanged = "stage_changed";
    public const string ScoreChanged = "score_changed";
    public const string Enrolled = "enrolled";
    public const string Exited = "exited";
    /// <summary>A trigger matched but the lead was not enrolled (it has been in the sequence and reenroll is off).</summary>
    public const string NotEnrolled = "not_enrolled";
    public const string Branch = "branch";
    /// <summary>A goto step sent the lead to another step.</summary>
    public const string Goto = "goto";
    /// <summary>The lead's sequence was paused or resumed while the lead was in it.</summary>
    public const string SequencePaused = "sequence_paused", SequenceResumed = "sequence_resumed";
    /// <summary>The sequence was saved with <c>migrate</c> and the lead moved to the new version at the same step.</summary>
    public const string EnrollmentMigrated = "enrollment_migrated";
    public const string EmailScheduled = "email_scheduled";
    public const string EmailDelayed = "email_delayed";
    public const string EmailSent = "email_sent";
    public const string EmailFailed = "email_failed";
    public const string EmailSuppressed = "email_suppressed";
    public const string EmailOpened = "email_opened";
    public const string EmailClicked = "email_clicked";
    public const string EmailReplied = "email_replied";
    public const string AutoReplied = "auto_replied";
    public const string EmailBounced = "email_bounced";
    public const string EmailDelivered = "email_delivered";
    /// <summary>An authentication failure report (ARF auth-failure, RFC 6591) about an email to the lead: a deliverability fact, not a complaint.</summary>
    public const string EmailAuthFailed = "email_auth_failed";
    /// <summary>An open by a privacy proxy or scanner, not a person: on the timeline, scores nothing.</summary>
    public const string MachineOpened = "machine_opened";
    /// <summary>The lead left or rejoined one topic (subscription group) on its preferences page.</summary>
    public const string TopicChanged = "topic_changed";
    public const string Unsubscribed = "unsubscribed";
    public const string ConsentGiven = "consent_given";
    /// <summary>Forms (issue 17): a submission, its double opt-in email and the link opened; a website page view of a known lead.</summary>
    public const string FormSubmitted = "form_submitted", ConfirmationSent = "confirmation_sent", ConsentConfirmed = "consent_confirmed", PageViewed = "page_viewed";
    public const string Complained = "complained";
    public const string OwnerNotified = "owner_notified";
    public const string StepSkipped = "step_skipped";
    public const string Event = "event";
    public const string Note = "note";
    public const string TaskCreated = "task_created";
    public const string TaskDone = "task_done";
    public const string Qualified = "qualification_changed";

    public static readonly IReadOnlySet<string> BuiltInEvents = new HashSet<string>
    {
        EmailSent, EmailOpened, EmailClicked, EmailReplied, EmailBounced, Unsubscribed, Complained,
    };
}
