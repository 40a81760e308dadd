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
        if (rest.Count > 0) form.ExitWhenJson = JsonSerializer.Serialize(rest, Indented);
        return form;
    }

    internal static readonly JsonSerializerOptions Indented = new(Json.Options) { WriteIndented = true };

    /// <summary>
    /// Steps renamed in the form take their references with them: a branch, goto or condition that
    /// pointed at the old id points at the new one (each step carries the id it was shown with).
    /// </summary>
    public void FollowRenames()
    {
        var renames = Steps.Where(s => !string.IsNullOrWhiteSpace(s.OriginalId) && s.OriginalId != s.Id.Trim())
            .GroupBy(s => s.OriginalId!).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single().Id.Trim());
        foreach (var s in Steps) s.OriginalId = s.Id.Trim();
        if (renames.Count == 0) return;
        string? Follow(string? id) => id is not null && renames.TryGetValue(id.Trim(), out var to) ? to : id;
        foreach (var s in Steps)
        {
            (s.Then, s.Else, s.To) = (Follow(s.Then), Follow(s.Else), Follow(s.To));
            s.IfJson = ConditionJson.RenameSteps(s.IfJson, Follow);
        }
        ExitWhenJson = ConditionJson.RenameSteps(ExitWhenJson, Follow);
    }

    /// <summary>The definition; a JSON field that does not parse is reported as a field error.</summary>
    public SequenceDefinition ToDefinition()
    {
        var errors = new Errors();
        // The builder's list comes first, so its paths (exitWhen[0], [1] ...) are the validator's whatever the boxes below say.
        var exits = new List<Condition>();
        if (!string.IsNullOrWhiteSpace(ExitWhenJson))
        {
            try { exits.AddRange(JsonSerializer.Deserialize<List<Condition>>(ExitWhenJson, Json.Options) ?? []); }
            catch (JsonException e) { errors.Add("exitWhen", "is not a list of conditions: " + JsonProblem.Describe(e)); }
        }
        if (ExitOnReply) exits.Add(new Condition { Type = ConditionType.Replied });
        if (!string.IsNullOrWhiteSpace(ExitOnStage)) exits.Add(new Condition { Type = ConditionType.StageEntered, Stage = ExitOnStage.Trim() });
        if (!string.IsNullOrWhiteSpace(ExitOnEvent)) exits.Add(new Condition { Type = ConditionType.Event, Event = ExitOnEvent.Trim() });
        var steps = new List<Step>();
        for (var i = 0; i < Steps.Count; i++)
        {
            try { steps.Add(Steps[i].ToStep()); }
            catch (JsonException e) { errors.Add($"steps[{i}].if", "is not a condition: " + JsonProblem.Describe(e)); }
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
    /// <summary>The id the page showed this step with: a rename is followed by the steps that point at it.</summary>
    public string? OriginalId { get; set; }
    public string Type { get; set; } = StepType.Email;
    public string? Template { get; set; }
    /// <summary>An A/B split: a template and a weight per variant (empty: the one template above).</summary>
    public List<VariantForm> Variants { get; set; } = [];
    public string? Duration { get; set; }
    /// <summary>The branch condition in the condition language, edited by the visual builder (the JSON is its advanced view).</summary>
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
    /// <summary>A stage step's pipeline and an email's transactional flag: not edited here, but kept through a save.</summary>
    public string? Pipeline { get; set; }
    public bool Transactional { get; set; }
    /// <summary>An <c>assign_owner</c> step: the team (ticked users), round robin or by a lead attribute ("region") with a map
    /// of "value = rep@…" lines, and, for a hand-off, how long the rep has to accept and who is told when they do not.</summary>
    public List<string> Team { get; set; } = [];
    /// <summary><c>round_robin</c>, or <c>by</c> (<see cref="AssignBy"/> and <see cref="AssignMap"/> apply).</summary>
    public string? AssignMode { get; set; }
    public string? AssignBy { get; set; }
    public string? AssignMap { get; set; }
    public string? AcceptWithin { get; set; }
    public string? Manager { get; set; }

    /// <summary>A new branch asks something useful from the start: opened an email within 2 days.</summary>
    public const string DefaultCondition = """{ "type": "opened", "within": "P2D" }""";

    public static StepForm From(Step s) => new()
    {
        Id = s.Id, OriginalId = s.Id, Type = s.Type, Template = s.Template, Duration = HumanDuration.ToWords(s.Duration), Then = s.Then, Else = s.Else, Stage = s.Stage, Points = s.Points,
        TagAdd = s.Add is null ? null : string.Join(", ", s.Add), TagRemove = s.Remove is null ? null : string.Join(", ", s.Remove),
        Title = s.Title, Due = HumanDuration.ToWords(s.Due), To = s.To,
        Variants = s.Variants?.Select(v => new VariantForm { Template = v.Template, Weight = v.Weight }).ToList() ?? [],
        IfJson = s.If is null ? null : JsonSerializer.Serialize(s.If, SequenceForm.Indented),
        Pipeline = s.Pipeline, Transactional = s.Transactional, Team = s.Team ?? [], AcceptWithin = HumanDuration.ToWords(s.AcceptWithin), Manager = s.Manager,
        AssignMode = s.AssignmentRule.ByAttribute is null ? Sales.HandoffRule.RoundRobin : "by",
        AssignBy = s.AssignmentRule.ByAttribute is { } by ? (by.By.StartsWith("attributes.", StringComparison.Ordinal) ? by.By["attributes.".Length..] : by.By) : null,
        AssignMap = s.AssignmentRule.ByAttribute is { } m ? string.Join("\n", m.Map.Select(kv => $"{kv.Key} = {kv.Value}")) : null,
    };

    public Step ToStep() => new()
    {
        Id = Id.Trim(), Type = Type, Template = SequenceForm.Blank(Template), Duration = Iso(Duration),
        Then = SequenceForm.Blank(Then), Else = SequenceForm.Blank(Else), Stage = SequenceForm.Blank(Stage), Points = Points,
        Add = Tags(TagAdd), Remove = Tags(TagRemove), Title = SequenceForm.Blank(Title), Due = Iso(Due), To = SequenceForm.Blank(To),
        Variants = Type == StepType.Email && Variants.Any(v => !string.IsNullOrWhiteSpace(v.Template))
            ? Variants.Where(v => !string.IsNullOrWhiteSpace(v.Template)).Select(v => new Variant { Template = v.Template!.Trim(), Weight = v.Weight ?? 0 }).ToList()
            : null,
        If = Type == StepType.Branch && !string.IsNullOrWhiteSpace(IfJson) ? JsonSerializer.Deserialize<Condition>(IfJson, Json.Options) : null,
        Pipeline = SequenceForm.Blank(Pipeline), Transactional = Transactional,
        Assign = Type == StepType.AssignOwner ? AssignRule() : null,
        Team = Type == StepType.AssignOwner ? Team.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList() : null,
        AcceptWithin = Type == StepType.AssignOwner ? Iso(AcceptWithin) : null,
        Manager = Type == StepType.AssignOwner ? SequenceForm.Blank(Manager) : null,
    };

    /// <summary>Round robin, or <c>{ by: "attributes.region", map: { emea: "a@x" } }</c> from the attribute and its "value = email" lines
    /// (a line without "=" maps to nothing, for the validator to name).</summary>
    private JsonElement AssignRule()
    {
        if (AssignMode != "by" || SequenceForm.Blank(AssignBy) is not { } by) return JsonSerializer.SerializeToElement(Sales.HandoffRule.RoundRobin);
        var map = new Dictionary<string, string>();
        foreach (var line in (AssignMap ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=');
            map[(eq < 0 ? line : line[..eq]).Trim()] = eq < 0 ? "" : line[(eq + 1)..].Trim();
        }
        return JsonSerializer.SerializeToElement(new { by = by.StartsWith("attributes.", StringComparison.Ordinal) ? by : "attributes." + by, map });
    }

    /// <summary>"3 days" as P3D; text that is no duration is passed on as typed, for the validator to name at its field.</summary>
    private static string? Iso(string? typed) => HumanDuration.ToIso(typed) ?? SequenceForm.Blank(typed);

    private static List<string>? Tags(string? s) =>
        string.IsNullOrWhiteSpace(s) ? null : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}

/// <summary>One arm of an A/B split: which template, and what share of leads (the shares sum to 100).</summary>
public sealed class VariantForm
{
    public string? Template { get; set; }
    public int? Weight { get; set; }
}
