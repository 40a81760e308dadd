namespace NurtureEngine.Common;

/// <summary>
/// Every size and range limit on input, in one place (docs/API-EXTENSIONS.md "Input limits" lists
/// them). Input over a limit is refused with 422 naming the field; nothing is stored.
/// </summary>
public static class InputLimits
{
    /// <summary>Any one JSON string or form field (a template's HTML is the largest legitimate one).</summary>
    public const int MaxTextChars = 256 * 1024;
    /// <summary>Nesting of JSON objects and arrays in one body (a condition tree nests about two levels a condition).</summary>
    public const int MaxJsonDepth = 32;
    /// <summary>Items in any one JSON array (an events batch has its own, equal, limit).</summary>
    public const int MaxArrayItems = 1000;
    /// <summary>Names: pipelines, stages, templates, sequences, segments, webhook subscriptions.</summary>
    public const int MaxNameChars = 200;
    /// <summary>Task titles and template subjects.</summary>
    public const int MaxTitleChars = 300;
    /// <summary>Tags and attributes one call may set.</summary>
    public const int MaxTagsPerLead = 100;
    /// <summary>A lead's one-line text fields (names, company, job title, source); its phone has <see cref="MaxPhoneChars"/>.</summary>
    public const int MaxLeadTextChars = 200;
    public const int MaxPhoneChars = 50;
    public const int MaxAttributesJsonChars = 64_000;
    /// <summary>What a lead may hold in all, added call by call (concurrent calls that stay under it all count).</summary>
    public const int MaxTagsOnLead = 1000;
    public const int MaxAttributesJsonCharsOnLead = 256_000;
    public const int MaxEventPropertiesJsonChars = 16_000;
    public const int MaxSteps = 200;
    /// <summary>Conditions in one <c>all</c>/<c>any</c> list.</summary>
    public const int MaxConditionsInList = 50;
    /// <summary>Values in one attribute condition's <c>in</c> list (each is one SQL parameter).</summary>
    public const int MaxInValues = 500;
    public const int MaxUrlChars = 2000;
    /// <summary>Points of one scoring rule or score step, either sign; a score stays far inside 32 bits.</summary>
    public const int MaxPoints = 10_000;
    /// <summary>Money: a lead's deal value, a deal's amount, a monthly target (fits numeric(18,2)).</summary>
    public const decimal MaxDealValue = 999_999_999_999_999m;
    /// <summary>A scoring threshold's score, either sign (points are capped per rule; this keeps a threshold reachable and readable).</summary>
    public const int MaxThresholdScore = 1_000_000;
    /// <summary>A note on a lead's timeline.</summary>
    public const int MaxNoteChars = 10_000;
    /// <summary>Reasons and addresses in prose: a lost deal's or rejected hand-off's reason, a suppression's reason, the postal address.</summary>
    public const int MaxReasonChars = 500;
    /// <summary>Events one simulation may replay.</summary>
    public const int MaxSimulationEvents = 100;
    /// <summary>How far ahead one simulation may look.</summary>
    public static readonly TimeSpan MaxSimulationHorizon = TimeSpan.FromDays(400);
    /// <summary>Longest wait, task due time, decay interval or condition window.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3660);
    /// <summary>How far in the future an event's occurredAt may lie (clock skew).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);

    /// <summary>An IANA id such as Europe/London; a Windows id ("Pacific Standard Time") is refused, not stored as given.</summary>
    public static bool IsIanaTimeZone(string? id) =>
        id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId;

    /// <summary>A one-line name: not blank, within <see cref="MaxNameChars"/>, no line breaks or control characters.</summary>
    public static string? NameProblem(string? value, int max = MaxNameChars) =>
        string.IsNullOrWhiteSpace(value) ? "is required"
        : value.Length > max ? $"must be at most {max} characters"
        : value.Any(char.IsControl) ? "must be one line, without control characters"
        : null;
}
