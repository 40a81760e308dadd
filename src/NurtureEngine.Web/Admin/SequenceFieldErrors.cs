using System.Text.RegularExpressions;

namespace NurtureEngine.Web.Admin;

/// <summary>
/// A sequence's 422 errors in the builder's terms: "steps[1].duration" is step 2's wait field
/// (numbered as the page numbers steps), with the id of the input it belongs to.
/// </summary>
public static partial class SequenceFieldErrors
{
    public sealed record FieldError(string Path, string? InputId, string Label, string Message);

    private static readonly Dictionary<string, (string Input, string Words)> StepFields = new()
    {
        ["duration"] = ("duration", "wait"), ["due"] = ("due", "due after"), ["template"] = ("template", "template"), ["title"] = ("title", "task title"),
        ["id"] = ("id", "step id"), ["type"] = ("type", "type"), ["then"] = ("then", "then go to"), ["else"] = ("else", "else go to"),
        ["to"] = ("to", "go to"), ["stage"] = ("stage", "stage"), ["variants"] = ("variants", "A/B variants"), ["points"] = ("points", "points"),
        ["add"] = ("add", "add tags"), ["remove"] = ("remove", "remove tags"),
        ["team"] = ("team", "team"), ["assign"] = ("assign-by", "assign by"), ["by"] = ("assign-by", "assign by"), ["map"] = ("assign-map", "who gets which value"),
        ["acceptWithin"] = ("accept-within", "accept within"), ["manager"] = ("manager", "manager"),
    };

    private static readonly Dictionary<string, (string? Input, string Words)> Fields = new()
    {
        ["name"] = ("name", "Name"), ["trigger"] = ("trigger-type", "Trigger"), ["trigger.type"] = ("trigger-type", "Trigger"),
        ["trigger.stage"] = ("trigger-stage", "Trigger stage"), ["trigger.pipeline"] = ("trigger-pipeline", "Trigger pipeline"),
        ["trigger.event"] = ("trigger-event", "Trigger event"), ["trigger.tag"] = ("trigger-tag", "Trigger tag"),
        ["trigger.source"] = ("trigger-source", "Trigger source"), ["trigger.segment"] = ("trigger-segment", "Trigger segment"),
        ["sendWindow.from"] = ("from", "Send window from"), ["sendWindow.to"] = ("to", "Send window to"), ["sendWindow.days"] = (null, "Send window days"),
        ["steps"] = (null, "Steps"),
    };

    public static IReadOnlyList<FieldError> From(IDictionary<string, string[]> errors) =>
        errors.SelectMany(kv => kv.Value.Select(m => Describe(kv.Key, m))).ToList();

    private static FieldError Describe(string path, string message)
    {
        if (StepPath().Match(path) is { Success: true } m)
        {
            var index = int.Parse(m.Groups["i"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var rest = m.Groups["rest"].Value;
            // The branch condition's builder shows its own errors at the condition they name.
            var (input, words) = rest == "if" || rest.StartsWith("if.", StringComparison.Ordinal) ? ("if", rest == "if" ? "condition" : "condition, " + rest[3..])
                : VariantPath().Match(rest) is { Success: true } v ? ($"variant-{v.Groups["j"].Value}-{v.Groups["field"].Value}", $"variant {int.Parse(v.Groups["j"].Value, System.Globalization.CultureInfo.InvariantCulture) + 1} {v.Groups["field"].Value}")
                : StepFields.TryGetValue(rest, out var f) ? f : StepFields.TryGetValue(rest.Split('.')[^1], out var g) ? g : ("", rest);
            return new FieldError(path, input.Length == 0 ? null : $"step-{index}-{input}", $"Step {index + 1}, {words}", Plain(rest, message));
        }
        if (path.StartsWith("exitWhen", StringComparison.Ordinal)) return new FieldError(path, "exit-json", "Exit conditions", Plain(path, message));
        var (id, label) = Fields.TryGetValue(path, out var h) ? h : (null, path);
        return new FieldError(path, id, label, Plain(path, message));
    }

    /// <summary>Duration messages speak of the words the builder takes, not only ISO 8601.</summary>
    private static string Plain(string field, string message) =>
        field.Split('.')[^1] is "duration" or "due" or "within" or "acceptWithin" && message.Contains("ISO 8601", StringComparison.Ordinal)
            ? $"must be a duration {HumanDuration.Hint}"
            : message;

    [GeneratedRegex(@"^steps\[(?<i>\d+)\]\.(?<rest>.+)$")]
    private static partial Regex StepPath();

    [GeneratedRegex(@"^variants\[(?<j>\d+)\]\.(?<field>template|weight)$")]
    private static partial Regex VariantPath();
}
