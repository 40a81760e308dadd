namespace NurtureEngine.Sequences;

/// <summary>The steps ahead of a lead, in words ("wait PT1H → email follow-up → end"), for the impact preview.</summary>
public static class StepPath
{
    private const int MaxSteps = 5;

    /// <summary>
    /// Follows the steps from <paramref name="stepId"/> the way the runner would: in order, through gotos,
    /// stopping at a branch (either way may follow), an exit, the end, a step seen before or after a few steps.
    /// </summary>
    public static string From(SequenceDefinition definition, string? stepId)
    {
        var parts = new List<string>();
        var seen = new HashSet<string>();
        var index = stepId is null ? -1 : definition.IndexOf(stepId);
        while (true)
        {
            if (index < 0 || index >= definition.Steps.Count) { parts.Add("end"); break; }
            var step = definition.Steps[index];
            if (!seen.Add(step.Id)) { parts.Add($"back to {step.Id}"); break; }
            if (parts.Count == MaxSteps) { parts.Add("…"); break; }
            if (step.Type == StepType.Goto) { index = definition.IndexOf(step.To!); continue; }
            if (step.Type == StepType.Branch) { parts.Add($"{step.Describe()}: then {step.Then}, else {step.Else}"); break; }
            parts.Add(step.Describe());
            if (step.Type == StepType.Exit) break;
            index++;
        }
        return string.Join(" → ", parts);
    }
}
