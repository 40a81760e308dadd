using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;

namespace NurtureEngine.Sequences;

/// <summary>Refuses (422) a definition that can never run, naming the problem.</summary>
public sealed class SequenceValidator(NurtureDbContext db)
{
    private static readonly string[] Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public async Task ValidateAsync(string key, SequenceDefinition d, CancellationToken ct)
    {
        var errors = new Errors();
        if (!Slug.IsKey(key)) errors.Add("key", "must be a lowercase slug");
        if (d.Status is not (null or "active" or "paused")) errors.Add("status", "must be active or paused");
        if (d.Topic is not null && !Slug.IsKey(d.Topic)) errors.Add("topic", "must be a lowercase slug, e.g. product-news");
        var templates = (await db.Templates.Select(t => t.Key).ToListAsync(ct)).ToHashSet();
        var stages = await db.Stages.Select(s => new { Pipeline = s.Pipeline.Key, s.Key }).ToListAsync(ct);
        var defaultPipeline = await db.Pipelines.OrderByDescending(p => p.IsDefault).ThenBy(p => p.Id).Select(p => p.Key).FirstOrDefaultAsync(ct);
        bool StageExists(string? pipeline, string? stage) => stages.Any(s => s.Pipeline == (pipeline ?? defaultPipeline) && s.Key == stage);

        ValidateTrigger(d.Trigger, errors, StageExists);
        if (d.Steps is null) throw new ValidationException("steps", "a list of steps is required");
        if (d.Steps.Count == 0) errors.Add("steps", "at least one step is required");
        if (d.Steps.Count > InputLimits.MaxSteps) { errors.Add("steps", $"at most {InputLimits.MaxSteps} steps"); errors.ThrowIfAny(); }
        if (d.Name is not null && InputLimits.NameProblem(d.Name) is { } nameProblem) errors.Add("name", nameProblem);
        var ids = new HashSet<string>();
        for (var i = 0; i < d.Steps.Count; i++)
        {
            var s = d.Steps[i];
            var at = $"steps[{i}]";
            if (string.IsNullOrWhiteSpace(s.Id) || s.Id.Length > 64) errors.Add($"{at}.id", "is required (at most 64 characters)");
            else if (!ids.Add(s.Id)) errors.Add($"{at}.id", $"'{s.Id}' is used twice");
            if (!StepType.All.Contains(s.Type)) { errors.Add($"{at}.type", $"unknown step type '{s.Type}'"); continue; }
        }
        for (var i = 0; i < d.Steps.Count; i++) ValidateStep(d.Steps[i], $"steps[{i}]", ids, templates, d.Trigger?.Pipeline, StageExists, errors);
        for (var i = 0; i < (d.ExitWhen?.Count ?? 0); i++) ValidateCondition(d.ExitWhen![i], $"exitWhen[{i}]", ids, StageExists, errors);
        ValidateSendWindow(d.SendWindow, errors);
        if (!errors.Any && FindLoopWithoutWait(d) is { } loop)
            errors.Add("steps", $"steps {string.Join(" → ", loop)} form a loop without a wait step");
        errors.ThrowIfAny();
    }

    /// <summary>Validates a condition on its own (a segment's filter).</summary>
    public async Task ValidateConditionAsync(Condition condition, string field, CancellationToken ct)
    {
        var errors = new Errors();
        var stages = await db.Stages.Select(s => s.Key).ToListAsync(ct);
        ValidateCondition(condition, field, [], (_, stage) => stages.Contains(stage!), errors);
        errors.ThrowIfAny();
    }

    public static string? TriggerKeyOf(Trigger? t, string defaultPipeline) => t?.Type switch
    {
        TriggerType.StageEntered => SequenceReactions.StageTriggerKey(t.Pipeline ?? defaultPipeline, t.Stage!),
        TriggerType.DealStageEntered => SequenceReactions.StageTriggerKey(t.Pipeline!, t.Stage!),
        TriggerType.Event => t.Event,
        TriggerType.TagAdded => t.Tag,
        TriggerType.SegmentEntered => t.Segment,
        TriggerType.FormSubmitted => t.Form,
        _ => null,
    };

    private static void ValidateTrigger(Trigger? t, Errors errors, Func<string?, string?, bool> stageExists)
    {
        if (t is null) { errors.Add("trigger", "is required (use type manual for sequences entered only by hand)"); return; }
        if (!TriggerType.All.Contains(t.Type)) { errors.Add("trigger.type", $"unknown trigger type '{t.Type}'"); return; }
        switch (t.Type)
        {
            case TriggerType.StageEntered when !stageExists(t.Pipeline, t.Stage):
                errors.Add("trigger.stage", $"unknown stage '{t.Stage}' in pipeline '{t.Pipeline ?? "default"}'"); break;
            case TriggerType.DealStageEntered when t.Pipeline is null:
                errors.Add("trigger.pipeline", "the deal pipeline is required"); break;
            case TriggerType.DealStageEntered when !stageExists(t.Pipeline, t.Stage):
                errors.Add("trigger.stage", $"unknown stage '{t.Stage}' in pipeline '{t.Pipeline}'"); break;
            case TriggerType.Event when !Slug.IsName(t.Event): errors.Add("trigger.event", "an event name is required"); break;
            case TriggerType.TagAdded when !Slug.IsName(t.Tag): errors.Add("trigger.tag", "a tag name is required"); break;
            case TriggerType.SegmentEntered when !Slug.IsKey(t.Segment): errors.Add("trigger.segment", "a segment key is required"); break;
            case TriggerType.FormSubmitted when !Slug.IsKey(t.Form): errors.Add("trigger.form", "a form key is required"); break;
        }
    }

    private void ValidateStep(Step s, string at, HashSet<string> ids, HashSet<string> templates, string? pipeline,
        Func<string?, string?, bool> stageExists, Errors errors)
    {
        void Target(string field, string? id)
        {
            if (id is null) errors.Add($"{at}.{field}", "a step id is required");
            else if (!ids.Contains(id)) errors.Add($"{at}.{field}", $"unknown step '{id}'");
        }
        void Template(string field, string? key)
        {
            if (key is null) errors.Add($"{at}.{field}", "a template key is required");
            else if (!templates.Contains(key)) errors.Add($"{at}.{field}", $"unknown template '{key}'");
        }
        switch (s.Type)
        {
            case StepType.Email when s.Variants is { Count: > 0 } variants:
                for (var v = 0; v < variants.Count; v++) Template($"variants[{v}].template", variants[v].Template);
                if (variants.Sum(v => v.Weight) != 100 || variants.Any(v => v.Weight <= 0))
                    errors.Add($"{at}.variants", "variant weights must be positive and sum to 100");
                break;
            case StepType.Email: Template("template", s.Template); break;
            case StepType.NotifyOwner: Template("template", s.Template); break;
            case StepType.Wait when Iso8601Duration.TryParse(s.Duration) is null:
                errors.Add($"{at}.duration", $"an ISO 8601 duration such as P2D or PT5S is required, at most {InputLimits.MaxDuration.TotalDays:0} days"); break;
            case StepType.Branch:
                if (s.If is null) errors.Add($"{at}.if", "a condition is required");
                else ValidateCondition(s.If, $"{at}.if", ids, stageExists, errors);
                Target("then", s.Then);
                Target("else", s.Else);
                break;
            case StepType.Goto: Target("to", s.To); break;
            case StepType.Stage when !stageExists(s.Pipeline ?? pipeline, s.Stage):
                errors.Add($"{at}.stage", $"unknown stage '{s.Stage}'"); break;
            case StepType.Score when s.Points is null || Math.Abs(s.Points.Value) > InputLimits.MaxPoints:
                errors.Add($"{at}.points", $"is required, between -{InputLimits.MaxPoints} and {InputLimits.MaxPoints}"); break;
            case StepType.Tag when (s.Add?.Count ?? 0) + (s.Remove?.Count ?? 0) == 0 || (s.Add ?? []).Concat(s.Remove ?? []).Any(t => !Slug.IsName(t)):
                errors.Add($"{at}.add", "tag names to add or remove are required"); break;
            case StepType.AssignOwner: s.AssignmentRule.Validate(at, errors); break;
            case StepType.Task:
                if (InputLimits.NameProblem(s.Title, InputLimits.MaxTitleChars) is { } titleProblem) errors.Add($"{at}.title", titleProblem);
                // The title is a template (rendered for each lead when the task is made): a slip is named at its line and column now.
                else foreach (var e in Rendering.TemplateRenderer.Check("title", s.Title).Take(1)) errors.Add($"{at}.title", $"template error at line {e.Line}, column {e.Column}: {e.Message}");
                if (Iso8601Duration.TryParse(s.Due ?? "P1D") is null) errors.Add($"{at}.due", "must be an ISO 8601 duration"); break;
        }
    }

    private static void ValidateCondition(Condition c, string at, HashSet<string> ids, Func<string?, string?, bool> stageExists, Errors errors)
    {
        if (!ConditionType.Known.Contains(c.Type)) { errors.Add($"{at}.type", $"unknown condition type '{c.Type}'"); return; }
        if (c.Within is not null && Iso8601Duration.TryParse(c.Within) is null) errors.Add($"{at}.within", "must be an ISO 8601 duration");
        if (c.Count is < 1 or > 10_000) errors.Add($"{at}.count", "must be between 1 and 10,000");
        PropertyFilter.Validate(c.Where, $"{at}.where", errors);
        switch (c.Type)
        {
            case ConditionType.Opened or ConditionType.Clicked or ConditionType.Replied when c.Broadcast is not null && !Slug.IsKey(c.Broadcast):
                errors.Add($"{at}.broadcast", "must be a broadcast key"); break;
            case ConditionType.Opened or ConditionType.Clicked or ConditionType.Replied when c.Step is not null && c.Broadcast is null && !ids.Contains(c.Step):
                errors.Add($"{at}.step", $"unknown step '{c.Step}'"); break;
            case ConditionType.Event when !Slug.IsName(c.Event): errors.Add($"{at}.event", "an event name is required"); break;
            case ConditionType.StageEntered or ConditionType.InStage when !stageExists(null, c.Stage):
                errors.Add($"{at}.stage", $"unknown stage '{c.Stage}'"); break;
            case ConditionType.ScoreAtLeast when c.Score is null: errors.Add($"{at}.score", "is required"); break;
            case ConditionType.HasTag when !Slug.IsName(c.Tag): errors.Add($"{at}.tag", "a tag name is required"); break;
            case ConditionType.Attribute when string.IsNullOrWhiteSpace(c.Key): errors.Add($"{at}.key", "is required"); break;
            case ConditionType.InSegment when !Slug.IsKey(c.Segment): errors.Add($"{at}.segment", "a segment key is required"); break;
            case ConditionType.Attribute when c.In is { Count: > InputLimits.MaxInValues }:
                errors.Add($"{at}.in", $"at most {InputLimits.MaxInValues} values"); break;
            case ConditionType.All or ConditionType.Any:
                if (c.Of is not { Count: > 0 }) errors.Add($"{at}.of", "a list of conditions is required");
                else if (c.Of.Count > InputLimits.MaxConditionsInList) { errors.Add($"{at}.of", $"at most {InputLimits.MaxConditionsInList} conditions"); break; }
                for (var i = 0; i < (c.Of?.Count ?? 0); i++) ValidateCondition(c.Of![i], $"{at}.of[{i}]", ids, stageExists, errors);
                break;
            case ConditionType.Not:
                if (c.Inner is null) errors.Add($"{at}.condition", "is required");
                else ValidateCondition(c.Inner, $"{at}.condition", ids, stageExists, errors);
                break;
        }
    }

    private static void ValidateSendWindow(SendWindow? w, Errors errors)
    {
        if (w is null) return;
        foreach (var day in w.Days ?? []) if (!Days.Contains(day)) errors.Add("sendWindow.days", $"'{day}' is not one of {string.Join(", ", Days)}");
        TimeOnly? Time(string field, string? value)
        {
            if (value is null) return null;
            if (TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
            errors.Add($"sendWindow.{field}", "must be HH:mm");
            return null;
        }
        var (from, to) = (Time("from", w.From), Time("to", w.To));
        if (from >= to)
            errors.Add("sendWindow.to", $"must be later than from ({w.From}): a window lies within one day");
    }

    /// <summary>A cycle in the step graph that passes through no wait step would run forever at once.</summary>
    private static List<string>? FindLoopWithoutWait(SequenceDefinition d)
    {
        IEnumerable<string> Next(int i)
        {
            var s = d.Steps[i];
            switch (s.Type)
            {
                case StepType.Exit: yield break;
                case StepType.Goto: yield return s.To!; yield break;
                case StepType.Branch: yield return s.Then!; yield return s.Else!; yield break;
                default: if (i + 1 < d.Steps.Count) yield return d.Steps[i + 1].Id; yield break;
            }
        }
        // Depth-first with a stack of its own: a definition of many steps costs no call stack.
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(int root)
        {
            var stack = new Stack<(int Step, IEnumerator<string> Next)>();
            void Enter(int i) { state[d.Steps[i].Id] = 1; path.Add(d.Steps[i].Id); stack.Push((i, Next(i).GetEnumerator())); }
            if (d.Steps[root].Type == StepType.Wait || state.ContainsKey(d.Steps[root].Id)) return null;
            Enter(root);
            while (stack.Count > 0)
            {
                var (i, next) = stack.Peek();
                if (!next.MoveNext())
                {
                    stack.Pop();
                    state[d.Steps[i].Id] = 2; path.RemoveAt(path.Count - 1);
                    continue;
                }
                var j = d.IndexOf(next.Current);
                var id = d.Steps[j].Id;
                if (d.Steps[j].Type == StepType.Wait || state.GetValueOrDefault(id) == 2) continue;
                if (state.GetValueOrDefault(id) == 1) return [.. path[path.IndexOf(id)..], id];
                Enter(j);
            }
            return null;
        }
        for (var i = 0; i < d.Steps.Count; i++) if (Visit(i) is { } loop) return loop;
        return null;
    }
}
