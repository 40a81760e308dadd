using System.Text.Json;
using NurtureEngine.Common;
using NurtureEngine.Sequences;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// The sequence builder's form: a flat, HTML-form-friendly view of a <see cref="SequenceDefinition"/>.
/// It converts both ways, so the builder and the JSON view edit the same definition and the same
/// validator judges both.
/// </summary>
public sealed class SequenceForm
{
    public string? Name { get; set; }
    public string TriggerType { get; set; } = Sequences.TriggerType.StageEntered;
    public string? TriggerPipeline { get; set; }
    public string? TriggerStage { get; set; }
    public string? TriggerEvent { get; set; }
    public string? TriggerTag { get; set; }
    public string? TriggerSource { get; set; }
    public string? TriggerSegment { get; set; }
    public bool ExitOnReply { get; set; }
    public string? ExitOnStage { get; set; }
    public string? ExitOnEvent { get; set; }
    /// <summary>Any further exit conditions, as a JSON list in the condition language.</summary>
    public string? ExitWhenJson { get; set; }
    public bool Reenroll { get; set; }
    public List<string> Days { get; set; } = [];
    public string? WindowFrom { get; set; }
    public string? WindowTo { get; set; }
    public List<StepForm> Steps { get; set; } = [];
    /// <summary>On publish, move waiting leads to the new version where their step still exists.</summary>
    public bool Migrate { get; set; }

    public static readonly string[] AllDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public static SequenceForm From(SequenceDefinition d)
    {
        var form = new SequenceForm
        {
            Name = d.Name, TriggerType = d.Trigger?.Type ?? Sequences.TriggerType.Manual, TriggerPipeline = d.Trigger?.Pipeline,
            TriggerStage = d.Trigger?.Stage, TriggerEvent = d.Trigger?.Event, TriggerTag = d.Trigger?.Tag, TriggerSource = d.Trigger?.Source,
            TriggerSegment = d.Trigger?.Segment, Reenroll = d.Reenroll, Days = d.SendWindow?.Days ?? [], WindowFrom = d.SendWindow?.From,
            WindowTo = d.SendWindow?.To, Steps = d.Steps.Select(StepForm.From).ToList(),
        };
        var rest = new List<Condition>();
        foreach (var c in d.ExitWhen ?? [])
        {
            if (c.Type == ConditionType.Replied && c.Step is null && c.Within is null && !form.ExitOnReply) form.ExitOnReply = true;
            else if (c.Type == ConditionType.StageEntered && form.ExitOnStage is null) form.ExitOnStage = c.Stage;
            else if (c.Type == ConditionType.Event && c.Within is null && form.ExitOnEvent is null) form.ExitOnEvent = c.Event;
            else rest.Add(c);
        }
        if (rest.Count > 0) form.ExitWhenJson = Json.Serialize(rest);
        return form;
    }

    /// <summary>The definition; a JSON field that does not parse is reported as a field error.</summary>
    public SequenceDefinition ToDefinition()
    {
        var errors = new Errors();
        var exits = new List<Condition>();
        if (ExitOnReply) exits.Add(new Condition { Type = ConditionType.Replied });
        if (!string.IsNullOrWhiteSpace(ExitOnStage)) exits.Add(new Condition { Type = ConditionType.StageEntered, Stage = ExitOnStage.Trim() });
        if (!string.IsNullOrWhiteSpace(ExitOnEvent)) exits.Add(new Condition { Type = ConditionType.Event, Event = ExitOnEvent.Trim() });
        if (!string.IsNullOrWhiteSpace(ExitWhenJson))
        {
            try { exits.AddRange(JsonSerializer.Deserialize<List<Condition>>(ExitWhenJson, Json.Options) ?? []); }
            catch (JsonException e) { errors.Add("exitWhen", "is not a JSON list of conditions: " + e.Message); }
        }
        var steps = new List<Step>();
        for (var i = 0; i < Steps.Count; i++)
        {
            try { steps.Add(Steps[i].ToStep()); }
            catch (JsonException e) { errors.Add($"steps[{i}].if", "is not a JSON condition: " + e.Message); }
        }
        errors.ThrowIfAny();
        return new SequenceDefinition
        {
            Name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(),
            Trigger = new Trigger
            {
                Type = TriggerType, Pipeline = Blank(TriggerPipeline), Stage = Blank(TriggerStage), Event = Blank(TriggerEvent),
                Tag = Blank(TriggerTag), Source = Blank(TriggerSource), Segment = Blank(TriggerSegment),
            },
            ExitWhen = exits.Count > 0 ? exits : null,
            Reenroll = Reenroll,
            SendWindow = Days.Count > 0 || !string.IsNullOrWhiteSpace(WindowFrom) || !string.IsNullOrWhiteSpace(WindowTo)
                ? new SendWindow { Days = Days.Count > 0 ? Days : null, From = Blank(WindowFrom), To = Blank(WindowTo) } : null,
            Steps = steps,
            Migrate = Migrate ? true : null,
        };
    }

    internal static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

public sealed class StepForm
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = StepType.Email;
    public string? Template { get; set; }
    /// <summary>A/B variants as "template:weight, template:weight".</summary>
    public string? Variants { get; set; }
    public string? Duration { get; set; }
    public string? IfType { get; set; }
    public string? IfStep { get; set; }
    public string? IfWithin { get; set; }
    public string? IfEvent { get; set; }
    public string? IfStage { get; set; }
    public int? IfScore { get; set; }
    public string? IfTag { get; set; }
    /// <summary>A complex condition (all/any/not/attribute...) as JSON; wins over the simple fields.</summary>
    public string? IfJson { get; set; }
    public string? Then { get; set; }
    public string? Else { get; set; }
    public string? Stage { get; set; }
    public int? Points { get; set; }
    public string? TagAdd { get; set; }
    public string? TagRemove { get; set; }
    public string? Title { get; set; }
    public string? Due { get; set; }
    public string? To { get; set; }

    public static readonly string[] SimpleConditions =
        [ConditionType.Opened, ConditionType.Clicked, ConditionType.Replied, ConditionType.Event, ConditionType.InStage, ConditionType.ScoreAtLeast, ConditionType.HasTag];

    public static StepForm From(Step s)
    {
        var f = new StepForm
        {
            Id = s.Id, Type = s.Type, Template = s.Template, Duration = HumanDuration.ToWords(s.Duration), Then = s.Then, Else = s.Else, Stage = s.Stage, Points = s.Points,
            TagAdd = s.Add is null ? null : string.Join(", ", s.Add), TagRemove = s.Remove is null ? null : string.Join(", ", s.Remove),
            Title = s.Title, Due = HumanDuration.ToWords(s.Due), To = s.To,
            Variants = s.Variants is { Count: > 0 } v ? string.Join(", ", v.Select(x => $"{x.Template}:{x.Weight}")) : null,
        };
        if (s.If is { } c)
        {
            if (SimpleConditions.Contains(c.Type) && c.Key is null)
                (f.IfType, f.IfStep, f.IfWithin, f.IfEvent, f.IfStage, f.IfScore, f.IfTag) = (c.Type, c.Step, HumanDuration.ToWords(c.Within), c.Event, c.Stage, c.Score, c.Tag);
            else f.IfJson = Json.Serialize(c);
        }
        return f;
    }

    public Step ToStep()
    {
        var step = new Step
        {
            Id = Id.Trim(), Type = Type, Template = SequenceForm.Blank(Template), Duration = Iso(Duration),
            Then = SequenceForm.Blank(Then), Else = SequenceForm.Blank(Else), Stage = SequenceForm.Blank(Stage), Points = Points,
            Add = Tags(TagAdd), Remove = Tags(TagRemove), Title = SequenceForm.Blank(Title), Due = Iso(Due), To = SequenceForm.Blank(To),
            Variants = ParseVariants(Variants),
        };
        if (Type == StepType.Branch)
            step.If = !string.IsNullOrWhiteSpace(IfJson)
                ? JsonSerializer.Deserialize<Condition>(IfJson, Json.Options)
                : IfType is null ? null : new Condition
                {
                    Type = IfType, Step = SequenceForm.Blank(IfStep), Within = Iso(IfWithin), Event = SequenceForm.Blank(IfEvent),
                    Stage = SequenceForm.Blank(IfStage), Score = IfScore, Tag = SequenceForm.Blank(IfTag),
                };
        return step;
    }

    /// <summary>"3 days" as P3D; text that is no duration is passed on as typed, for the validator to name at its field.</summary>
    private static string? Iso(string? typed) => HumanDuration.ToIso(typed) ?? SequenceForm.Blank(typed);

    private static List<string>? Tags(string? s) =>
        string.IsNullOrWhiteSpace(s) ? null : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static List<Variant>? ParseVariants(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        return s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p =>
        {
            var parts = p.Split(':', 2, StringSplitOptions.TrimEntries);
            return new Variant { Template = parts[0], Weight = parts.Length > 1 && int.TryParse(parts[1], out var w) ? w : 0 };
        }).ToList();
    }
}
