using NurtureEngine.Sales;
using NurtureEngine.Timeline;

namespace NurtureEngine.Web.Admin;

/// <summary>Timeline kinds as people read them ("Email opened", not <c>email_opened</c>) and the groups the timeline filter offers.</summary>
public static class TimelineKinds
{
    public sealed record Group(string Key, string Name, IReadOnlySet<string> Kinds);

    private static readonly Dictionary<string, string> Labels = new()
    {
        [ActivityKind.Created] = "Lead created", [ActivityKind.Updated] = "Profile updated", [ActivityKind.StageChanged] = "Stage changed",
        [ActivityKind.ScoreChanged] = "Score changed", [ActivityKind.Enrolled] = "Entered a sequence", [ActivityKind.Exited] = "Left a sequence",
        [ActivityKind.NotEnrolled] = "Not entered in a sequence", [ActivityKind.Branch] = "Took a branch", [ActivityKind.Goto] = "Jumped to a step",
        [ActivityKind.SequencePaused] = "Sequence paused", [ActivityKind.SequenceResumed] = "Sequence resumed",
        [ActivityKind.EnrollmentMigrated] = "Moved to a new sequence version", [ActivityKind.EmailScheduled] = "Email scheduled",
        [ActivityKind.EmailDelayed] = "Email delayed", [ActivityKind.EmailSent] = "Email sent", [ActivityKind.EmailFailed] = "Email failed",
        [ActivityKind.EmailSuppressed] = "Email not sent (suppressed)", [ActivityKind.EmailOpened] = "Email opened", [ActivityKind.EmailClicked] = "Link clicked",
        [ActivityKind.EmailReplied] = "Replied", [ActivityKind.AutoReplied] = "Automatic reply", [ActivityKind.EmailBounced] = "Email bounced",
        [ActivityKind.EmailDelivered] = "Email delivered", [ActivityKind.MachineOpened] = "Opened by a mail scanner", [ActivityKind.TopicChanged] = "Topic preferences changed",
        [ActivityKind.Unsubscribed] = "Unsubscribed", [ActivityKind.ConsentGiven] = "Consent given", [ActivityKind.Complained] = "Marked as spam",
        [ActivityKind.OwnerNotified] = "Owner notified", [ActivityKind.StepSkipped] = "Step skipped", [ActivityKind.Event] = "Event",
        [ActivityKind.Note] = "Note", [ActivityKind.TaskCreated] = "Task created", [ActivityKind.TaskDone] = "Task done",
        [ActivityKind.Qualified] = "Qualification changed",
        [HandoffService.Assigned] = "Handed off to sales", [HandoffDesk.Accepted] = "Hand-off accepted", [HandoffDesk.Rejected] = "Hand-off rejected",
        [HandoffSlaJob.Breached] = "Hand-off SLA breached", [HandoffService.Ended] = "Hand-off ended", [AssignOwnerStep.OwnerAssigned] = "Owner assigned",
    };

    public static readonly IReadOnlyList<Group> Groups =
    [
        new("emails", "Emails", new HashSet<string> { ActivityKind.EmailScheduled, ActivityKind.EmailDelayed, ActivityKind.EmailSent, ActivityKind.EmailFailed,
            ActivityKind.EmailSuppressed, ActivityKind.EmailOpened, ActivityKind.EmailClicked, ActivityKind.EmailReplied, ActivityKind.AutoReplied,
            ActivityKind.EmailBounced, ActivityKind.EmailDelivered, ActivityKind.MachineOpened, ActivityKind.OwnerNotified }),
        new("notes", "Notes and tasks", new HashSet<string> { ActivityKind.Note, ActivityKind.TaskCreated, ActivityKind.TaskDone, ActivityKind.Qualified }),
        new("handoffs", "Hand-offs and owner", new HashSet<string> { HandoffService.Assigned, HandoffDesk.Accepted, HandoffDesk.Rejected,
            HandoffSlaJob.Breached, HandoffService.Ended, AssignOwnerStep.OwnerAssigned }),
        new("stage", "Stage and score", new HashSet<string> { ActivityKind.StageChanged, ActivityKind.ScoreChanged }),
        new("sequences", "Sequences", new HashSet<string> { ActivityKind.Enrolled, ActivityKind.Exited, ActivityKind.NotEnrolled, ActivityKind.Branch,
            ActivityKind.Goto, ActivityKind.SequencePaused, ActivityKind.SequenceResumed, ActivityKind.EnrollmentMigrated, ActivityKind.StepSkipped }),
    ];

    /// <summary>"Email opened"; an unknown kind reads as its words ("custom_thing" → "Custom thing").</summary>
    public static string Label(string kind) =>
        Labels.TryGetValue(kind, out var label) ? label : kind.Length == 0 ? kind : char.ToUpperInvariant(kind[0]) + kind[1..].Replace('_', ' ');

    /// <summary>True when the entry belongs to the chosen group (no group or an unknown one: everything; "other": what no group holds).</summary>
    public static bool Shows(string? group, string kind) => group switch
    {
        null or "" => true,
        "other" => Groups.All(g => !g.Kinds.Contains(kind)),
        _ => Groups.FirstOrDefault(g => g.Key == group) is not { } g || g.Kinds.Contains(kind),
    };
}
