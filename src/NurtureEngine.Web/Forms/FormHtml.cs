using System.Net;
using NurtureEngine.Forms;

namespace NurtureEngine.Web.Forms;

/// <summary>
/// The form's HTML, the same for the hosted page, the embed script and the builder's preview: a label
/// for every field, each error tied to its field (<c>aria-describedby</c>, <c>aria-invalid</c>), a summary
/// that takes focus (<c>autofocus</c>: without JavaScript too), a honeypot hidden from people and assistive technology, and the signed fill-time stamp.
/// Every text is HTML-escaped.
/// </summary>
public static class FormHtml
{
    public const string Honeypot = "website", Stamp = FormSubmitter.StampField, PageUrl = "pageUrl", Visitor = "visitor";

    public const string Styles = """
        .nurture-form{font-family:system-ui,sans-serif;max-width:32rem;color:#1f2933;box-sizing:border-box}
        .nurture-form *{box-sizing:border-box}
        .nurture-form .nf-field{margin:0 0 1rem}
        .nurture-form label{display:block;font-weight:600;margin-bottom:.3rem}
        .nurture-form input[type=text],.nurture-form input[type=email],.nurture-form select{width:100%;font-size:1rem;padding:.55rem;border:1px solid #7b8794;border-radius:4px}
        .nurture-form .nf-check label{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}
        .nurture-form .nf-check input{width:1.25rem;height:1.25rem;margin:0}
        .nurture-form [aria-invalid=true]{border-color:#b91c1c;outline:2px solid #b91c1c}
        .nurture-form .nf-error{color:#b91c1c;margin:.3rem 0 0;font-size:.95rem}
        .nurture-form .nf-summary{border:2px solid #b91c1c;padding:.6rem .8rem;margin-bottom:1rem}
        .nurture-form .nf-consent{font-size:.95rem;color:#3e4c59}
        .nurture-form button{font-size:1rem;padding:.65rem 1.4rem;background:#1d4ed8;color:#fff;border:0;border-radius:4px;cursor:pointer}
        .nurture-form button:focus,.nurture-form input:focus,.nurture-form select:focus{outline:3px solid #f59e0b;outline-offset:1px}
        .nurture-form .nf-hp{position:absolute!important;left:-10000px}
        """;

    /// <summary>Inline as well as in <see cref="Styles"/>: a form pasted as plain HTML into a site without our stylesheet must still hide it from people.</summary>
    private const string HoneypotStyle = "position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden";

    public static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    public static string Form(string key, FormDefinition d, string action, string stamp, IReadOnlyDictionary<string, string?>? values = null,
        IDictionary<string, string[]>? errors = null, string? formError = null)
    {
        var html = new System.Text.StringBuilder();
        html.Append($"""<form class="nurture-form" method="post" action="{E(action)}" novalidate data-nurture-form="{E(key)}">""");
        var all = errors?.SelectMany(e => e.Value).ToList() ?? [];
        if (formError is not null || all.Count > 0)
            html.Append($"""<div class="nf-summary" role="alert" tabindex="-1" autofocus id="nf-{E(key)}-summary"><p><strong>{E(formError ?? "Please correct the fields marked below.")}</strong></p></div>""");
        var i = 0;
        foreach (var f in d.Fields ?? [])
        {
            var id = $"nf-{key}-{i++}";
            var name = f.Name!;
            var value = values?.GetValueOrDefault(name);
            var error = errors is not null && errors.TryGetValue(name, out var list) && list.Length > 0 ? string.Join(" ", list) : null;
            var label = f.Label is { Length: > 0 } l ? l : name;
            var required = f.Required ? " required aria-required=\"true\"" : "";
            var invalid = error is null ? "" : $" aria-invalid=\"true\" aria-describedby=\"{id}-error\"";
            var errorHtml = error is null ? "" : $"""<p class="nf-error" id="{id}-error">{E(label)}: {E(error)}</p>""";
            var star = f.Required ? " <span aria-hidden=\"true\">*</span>" : "";
            switch (f.Type)
            {
                case FieldType.Hidden:
                    html.Append($"""<input type="hidden" name="{E(name)}" value="{E(f.Value ?? value)}">""");
                    break;
                case FieldType.Checkbox:
                    var on = value is { Length: > 0 } v && v.ToLowerInvariant() is "on" or "true" or "yes" or "1";
                    html.Append($"""<div class="nf-field nf-check"><label for="{id}"><input type="checkbox" id="{id}" name="{E(name)}" value="on"{(on ? " checked" : "")}{required}{invalid}> <span>{E(label)}{star}</span></label>{errorHtml}</div>""");
                    break;
                case FieldType.Select:
                    var options = string.Concat((f.Options ?? []).Select(o => $"""<option value="{E(o)}"{(o == value ? " selected" : "")}>{E(o)}</option>"""));
                    html.Append($"""<div class="nf-field"><label for="{id}">{E(label)}{star}</label><select id="{id}" name="{E(name)}"{required}{invalid}><option value="">Choose…</option>{options}</select>{errorHtml}</div>""");
                    break;
                default:
                    var type = f.Type == FieldType.Email ? "email" : "text";
                    var autocomplete = name switch { "email" => "email", "firstName" => "given-name", "lastName" => "family-name", "company" => "organization", "jobTitle" => "organization-title", "phone" => "tel", _ => "on" };
                    html.Append($"""<div class="nf-field"><label for="{id}">{E(label)}{star}</label><input type="{type}" id="{id}" name="{E(name)}" value="{E(value)}" autocomplete="{autocomplete}" maxlength="500"{required}{invalid}>{errorHtml}</div>""");
                    break;
            }
        }
        html.Append($"""<div class="nf-hp" aria-hidden="true" style="{HoneypotStyle}"><label for="nf-{E(key)}-hp">Leave this field empty</label><input type="text" id="nf-{E(key)}-hp" name="{Honeypot}" tabindex="-1" autocomplete="off" value=""></div>""");
        html.Append($"""<input type="hidden" name="{Stamp}" value="{E(stamp)}">""");
        if (d.ConsentText is { } consent) html.Append($"""<p class="nf-consent">{E(consent)}</p>""");
        html.Append($"""<button type="submit">{E(d.SubmitLabel is { Length: > 0 } s ? s : "Submit")}</button></form>""");
        return html.ToString();
    }

    public static string Page(string title, string body) => $"""
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)}</title><style>body{"{"}margin:0;padding:2rem 1rem{"}"}main{"{"}max-width:32rem;margin:0 auto;font-family:system-ui,sans-serif;color:#1f2933{"}"}{Styles}</style>
        </head><body><main>{body}</main></body></html>
        """;

    /// <summary>
    /// Where the browser goes instead of the thank-you page: the stored <c>redirectUrl</c> (never one from the request),
    /// unless the form has a gated asset: then the download page comes first, with a link on to the redirect.
    /// </summary>
    public static string? RedirectsAfterThanks(FormDefinition d) => d.Asset?.Url is null ? d.RedirectUrl : null;

    /// <summary>The thank-you page: the download once the lead may have it, else what happens next.</summary>
    public static string ThankYou(FormDefinition d, bool confirmationRequired, bool confirmed = false)
    {
        var heading = confirmed ? "Thank you: your subscription is confirmed" : confirmationRequired ? "Please check your inbox" : "Thank you";
        var text = confirmationRequired
            ? "<p>We have sent you an email with a confirmation link. Open it to confirm your subscription" + (d.Asset is null ? "." : " and get your download.") + "</p>"
            : "<p>We have received your details.</p>";
        var asset = !confirmationRequired && d.Asset?.Url is { } url
            ? $"""<p><a href="{E(url)}" download>{E(d.Asset.Label is { Length: > 0 } l ? l : "Download")}</a></p>""" : "";
        var onward = asset.Length > 0 && d.RedirectUrl is { } redirect ? $"""<p><a href="{E(redirect)}" class="nf-continue">Continue</a></p>""" : "";
        return Page(heading, $"<h1>{E(heading)}</h1>{text}{asset}{onward}");
    }
}
