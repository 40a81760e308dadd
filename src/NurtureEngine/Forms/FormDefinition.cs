using NurtureEngine.Common;

namespace NurtureEngine.Forms;

/// <summary>The body of <c>PUT /api/v1/forms/{key}</c> (API.md "Forms and double opt-in"), stored as written.</summary>
public sealed class FormDefinition
{
    public string? Name { get; set; }
    public List<FormField>? Fields { get; set; }
    public string? ConsentText { get; set; }
    public bool DoubleOptIn { get; set; }
    public string? ConfirmTemplate { get; set; }
    public List<string>? Tags { get; set; }
    public string? Source { get; set; }
    public string? Pipeline { get; set; }
    public string? Stage { get; set; }
    public string? RedirectUrl { get; set; }
    public FormAsset? Asset { get; set; }
    public List<string>? AllowedOrigins { get; set; }
    /// <summary>The submit button's text (default "Submit").</summary>
    public string? SubmitLabel { get; set; }
}

public sealed class FormField
{
    public string? Name { get; set; }
    public string? Label { get; set; }
    public string? Type { get; set; }
    public bool Required { get; set; }
    public List<string>? Options { get; set; }
    /// <summary>For a <c>hidden</c> field: the value it carries (e.g. a campaign name).</summary>
    public string? Value { get; set; }
}

public sealed class FormAsset
{
    public string? Url { get; set; }
    /// <summary>The link text on the download page (default "Download").</summary>
    public string? Label { get; set; }
}

public static class FieldType
{
    public const string Email = "email", Text = "text", Select = "select", Checkbox = "checkbox", Hidden = "hidden";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { Email, Text, Select, Checkbox, Hidden };
}

/// <summary>Rules a form definition must keep; every error names its field.</summary>
public static class FormRules
{
    /// <summary>Lead fields a form may fill (anything else goes to <c>attributes.&lt;key&gt;</c>).</summary>
    public static readonly IReadOnlySet<string> LeadFields = new HashSet<string>(StringComparer.Ordinal)
        { "email", "firstName", "lastName", "company", "jobTitle", "phone" };

    public const string AttributePrefix = "attributes.";
    public const int MaxFields = 50, MaxLabel = 500, MaxConsent = 5000, MaxOrigins = 20;

    public static bool IsFieldName(string? name) => name is not null && (LeadFields.Contains(name)
        || name.StartsWith(AttributePrefix, StringComparison.Ordinal) && Slug.IsName(name[AttributePrefix.Length..]));

    public static void Validate(FormDefinition d, Errors errors)
    {
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 200) errors.Add("name", "is required (at most 200 characters)");
        if (d.Fields is not { Count: > 0 }) errors.Add("fields", "at least one field is required, and one of them must be email");
        else if (d.Fields.Count > MaxFields) errors.Add("fields", $"at most {MaxFields} fields");
        else
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < d.Fields.Count; i++) ValidateField(d.Fields[i], $"fields[{i}]", seen, errors);
            if (!d.Fields.Any(f => f.Name == "email")) errors.Add("fields", "an email field is required (it identifies the lead)");
        }
        if (d.ConsentText is { Length: > MaxConsent }) errors.Add("consentText", $"at most {MaxConsent} characters");
        if (d.ConfirmTemplate is not null && !Slug.IsKey(d.ConfirmTemplate)) errors.Add("confirmTemplate", "must be a template key");
        if (d.Tags is { Count: > InputLimits.MaxTagsPerLead }) errors.Add("tags", $"at most {InputLimits.MaxTagsPerLead} tags");
        foreach (var tag in d.Tags ?? []) if (!Slug.IsName(tag)) errors.Add("tags", $"'{tag}' is not a tag name (lowercase letters, digits, _ . -)");
        if (d.Source is { } source && (source.Length > 200 || source.Any(char.IsControl))) errors.Add("source", "at most 200 characters, one line");
        if (d.Pipeline is not null && !Slug.IsKey(d.Pipeline)) errors.Add("pipeline", "must be a pipeline key");
        if (d.Stage is not null && !Slug.IsKey(d.Stage)) errors.Add("stage", "must be a stage key");
        if (d.RedirectUrl is not null && !IsHttpsUrl(d.RedirectUrl)) errors.Add("redirectUrl", "must be an absolute https:// URL");
        if (d.Asset is not null && !IsHttpsUrl(d.Asset.Url)) errors.Add("asset.url", "must be an absolute https:// URL");
        if (d.Asset?.Label is { Length: > MaxLabel }) errors.Add("asset.label", $"at most {MaxLabel} characters");
        if (d.SubmitLabel is { Length: > 100 }) errors.Add("submitLabel", "at most 100 characters");
        if (d.AllowedOrigins is { Count: > MaxOrigins }) errors.Add("allowedOrigins", $"at most {MaxOrigins} origins");
        for (var i = 0; i < (d.AllowedOrigins?.Count ?? 0); i++)
            if (!IsOrigin(d.AllowedOrigins![i])) errors.Add($"allowedOrigins[{i}]", "must be an https origin such as https://www.example.com (scheme, host and optional port; no path)");
    }

    private static void ValidateField(FormField f, string at, HashSet<string> seen, Errors errors)
    {
        if (!IsFieldName(f.Name)) errors.Add($"{at}.name", "must be email, firstName, lastName, company, jobTitle, phone or attributes.<key>");
        else if (!seen.Add(f.Name!)) errors.Add($"{at}.name", $"'{f.Name}' appears twice");
        if (f.Type is null || !FieldType.All.Contains(f.Type)) errors.Add($"{at}.type", "must be email, text, select, checkbox or hidden");
        if (f.Name == "email" && f.Type is not (FieldType.Email or null)) errors.Add($"{at}.type", "the email field has type email");
        if (f.Label is { Length: > MaxLabel }) errors.Add($"{at}.label", $"at most {MaxLabel} characters");
        if (f.Type == FieldType.Select && f.Options is not { Count: > 0 }) errors.Add($"{at}.options", "a select needs at least one option");
        if (f.Options is { Count: > 100 }) errors.Add($"{at}.options", "at most 100 options");
        foreach (var o in f.Options ?? []) if (o.Length is 0 or > 200) errors.Add($"{at}.options", "each option has 1 to 200 characters");
        if (f.Value is { Length: > 1000 }) errors.Add($"{at}.value", "at most 1,000 characters");
    }

    public static bool IsHttpsUrl(string? url) =>
        url is { Length: <= 2000 } && Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps && u.Host.Length > 0
        && !url.Any(char.IsControl);

    /// <summary>An https origin; http is accepted only for localhost / 127.0.0.1 (local development).</summary>
    public static bool IsOrigin(string? origin)
    {
        if (origin is null || origin.Length > 300 || !Uri.TryCreate(origin, UriKind.Absolute, out var u)) return false;
        if (u.AbsolutePath != "/" || origin.EndsWith('/') || u.Query.Length > 0 || u.Fragment.Length > 0 || u.UserInfo.Length > 0) return false;
        return u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp && (u.Host is "localhost" or "127.0.0.1");
    }

    /// <summary>The origin as a browser sends it in the Origin header (lowercase scheme and host, default port omitted).</summary>
    public static string NormalizeOrigin(string origin)
    {
        var u = new Uri(origin);
        return u.IsDefaultPort ? $"{u.Scheme}://{u.Host}" : $"{u.Scheme}://{u.Host}:{u.Port}";
    }
}
