using System.Text.Json;
using System.Text.Json.Serialization;

namespace NurtureEngine.Sequences;

/// <summary>The JSON a marketer writes (API.md "Sequences"); stored as one immutable version.</summary>
public sealed class SequenceDefinition
{
    public string? Name { get; set; }
    public string? Status { get; set; }
    public Trigger? Trigger { get; set; }
    public List<Condition>? ExitWhen { get; set; }
    public bool Reenroll { get; set; }
    public SendWindow? SendWindow { get; set; }
    /// <summary>The subscription group (topic) this sequence's email belongs to; a lead can leave a topic on its preferences page.</summary>
    public string? Topic { get; set; }
    public List<Step> Steps { get; set; } = [];
    /// <summary>On PUT only, never stored: move waiting leads to the new version, matching steps by id.</summary>
    public bool? Migrate { get; set; }

    public int IndexOf(string stepId) => Steps.FindIndex(s => s.Id == stepId);
}

public sealed class Trigger
{
    public string Type { get; set; } = "";
    public string? Pipeline { get; set; }
    public string? Stage { get; set; }
    public string? Source { get; set; }
    public string? Event { get; set; }
    public Dictionary<string, JsonElement>? Properties { get; set; }
    public string? Tag { get; set; }
    public string? Segment { get; set; }
    /// <summary>A <c>form_submitted</c> trigger's form key.</summary>
    public string? Form { get; set; }
}

public sealed class Step
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public string? Template { get; set; }
    public List<Variant>? Variants { get; set; }
    public string? Duration { get; set; }
    public Condition? If { get; set; }
    public string? Then { get; set; }
    public string? Else { get; set; }
    public string? Stage { get; set; }
    public string? Pipeline { get; set; }
    public int? Points { get; set; }
    public List<string>? Add { get; set; }
    public List<string>? Remove { get; set; }
    public string? Title { get; set; }
    public string? Due { get; set; }
    /// <summary>Target of a <c>goto</c> step.</summary>
    public string? To { get; set; }
    /// <summary>Transactional emails ignore frequency caps (never suppression).</summary>
    public bool Transactional { get; set; }
    /// <summary>An <c>assign_owner</c> step's rule: <c>round_robin</c> or <c>{ by, map }</c> over <see cref="Team"/> (see <see cref="Sales.HandoffRule"/>).</summary>
    public JsonElement? Assign { get; set; }
    public List<string>? Team { get; set; }
    /// <summary>An <c>assign_owner</c> step with this is a hand-off: the new owner must accept within it.</summary>
    public string? AcceptWithin { get; set; }
    public string? Manager { get; set; }

    public Sales.HandoffRule AssignmentRule => new() { Assign = Assign, Team = Team, AcceptWithin = AcceptWithin, Manager = Manager };

    /// <summary>What the step does, in a few words (flow diagram, impact preview).</summary>
    public string Describe() => Type switch
    {
        StepType.Email => Variants is { Count: > 0 } v ? "A/B: " + string.Join(" / ", v.Select(x => $"{x.Template} {x.Weight}%")) : $"email {Template}",
        StepType.Wait => $"wait {Duration}",
        StepType.Branch => $"if {(If is null ? "?" : Automation.SequenceReactions.Describe(If))}",
        StepType.Stage => $"move to stage {Stage}",
        StepType.Score => $"score {(Points >= 0 ? "+" : "")}{Points}",
        StepType.Tag => $"tags +{string.Join(",", Add ?? [])} -{string.Join(",", Remove ?? [])}",
        StepType.NotifyOwner => $"notify owner ({Template})",
        StepType.Task => $"task \"{Title}\" due {Due ?? "P1D"}",
        StepType.Goto => $"go to {To}",
        StepType.AssignOwner => $"assign an owner ({(AssignmentRule.IsRoundRobin ? "round robin" : "by " + AssignmentRule.ByAttribute?.By)} over {Team?.Count ?? 0})"
            + (AcceptWithin is null ? "" : $", accept within {AcceptWithin}"),
        StepType.Exit => "exit",
        _ => Type,
    };
}

public sealed class Variant
{
    public string Template { get; set; } = "";
    public int Weight { get; set; }
}

public sealed class Condition
{
    public string Type { get; set; } = "";
    public string? Step { get; set; }
    /// <summary>Opened/clicked/replied: the email of this broadcast (by key) rather than of the sequence.</summary>
    public string? Broadcast { get; set; }
    public string? Within { get; set; }
    public string? Event { get; set; }
    /// <summary>An <c>event</c> condition counts only events whose properties match (glob <c>*</c>): see <see cref="Automation.PropertyFilter"/>.</summary>
    public Dictionary<string, string>? Where { get; set; }
    /// <summary>An <c>event</c> condition holds when at least this many such events happened (within <c>within</c>); default 1.</summary>
    public int? Count { get; set; }
    public string? Stage { get; set; }
    public int? Score { get; set; }
    public string? Tag { get; set; }
    public string? Key { get; set; }
    [JsonPropertyName("equals")] public JsonElement? EqualTo { get; set; }
    public List<JsonElement>? In { get; set; }
    public JsonElement? Gte { get; set; }
    public JsonElement? Lte { get; set; }
    public string? Segment { get; set; }
    public List<Condition>? Of { get; set; }
    [JsonPropertyName("condition")] public Condition? Inner { get; set; }
}

public sealed class SendWindow
{
    public List<string>? Days { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
}

public static class StepType
{
    public const string Email = "email", Wait = "wait", Branch = "branch", Stage = "stage", Score = "score",
        Tag = "tag", NotifyOwner = "notify_owner", Task = "task", Goto = "goto", Exit = "exit";
    /// <summary>Gives the lead an owner from a team (issue 18).</summary>
    public const string AssignOwner = "assign_owner";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { Email, Wait, Branch, Stage, Score, Tag, NotifyOwner, Task, Goto, Exit, AssignOwner };
}

public static class TriggerType
{
    public const string StageEntered = "stage_entered", LeadCreated = "lead_created", Event = "event",
        TagAdded = "tag_added", SegmentEntered = "segment_entered", Manual = "manual", FormSubmitted = "form_submitted";
    /// <summary>A deal of the lead entered a stage of a deal pipeline (issue 18).</summary>
    public const string DealStageEntered = "deal_stage_entered";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { StageEntered, LeadCreated, Event, TagAdded, SegmentEntered, Manual, FormSubmitted, DealStageEntered };
}

public static class ConditionType
{
    public const string Opened = "opened", Clicked = "clicked", Replied = "replied", Event = "event",
        StageEntered = "stage_entered", InStage = "in_stage", ScoreAtLeast = "score_at_least", HasTag = "has_tag",
        Attribute = "attribute", InSegment = "in_segment", All = "all", Any = "any", Not = "not";
    public static readonly IReadOnlySet<string> Known = new HashSet<string>
        { Opened, Clicked, Replied, Event, StageEntered, InStage, ScoreAtLeast, HasTag, Attribute, InSegment, All, Any, Not };
}
