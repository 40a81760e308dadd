using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Forms;

/// <summary>Shared steps of the form tests: a form through the API, a submission as a browser or a script sends it.</summary>
public static partial class FormTestKit
{
    public static readonly Dictionary<string, string?> NoFillTime = new() { ["Nurture:Forms:MinFillSeconds"] = "0" };

    public static JsonObject Ebook(bool doubleOptIn = true, string? redirectUrl = null) => new()
    {
        ["name"] = "E-book download",
        ["fields"] = new JsonArray(
            new JsonObject { ["name"] = "email", ["label"] = "Work email", ["type"] = "email", ["required"] = true },
            new JsonObject { ["name"] = "firstName", ["label"] = "First name", ["type"] = "text" },
            new JsonObject { ["name"] = "attributes.industry", ["label"] = "Industry", ["type"] = "select", ["options"] = new JsonArray("software", "manufacturing") },
            new JsonObject { ["name"] = "attributes.newsletter", ["label"] = "Send me the newsletter", ["type"] = "checkbox" }),
        ["consentText"] = "I agree to receive the e-book and occasional product news from Demo Ltd.",
        ["doubleOptIn"] = doubleOptIn,
        ["tags"] = new JsonArray("ebook"),
        ["source"] = "ebook-form",
        ["redirectUrl"] = redirectUrl,
        ["asset"] = new JsonObject { ["url"] = "https://cdn.example.com/ebook.pdf", ["label"] = "Download the e-book" },
        ["allowedOrigins"] = new JsonArray("https://www.example.com"),
    };

    public static async Task PutFormAsync(NurtureApp app, string key, JsonObject definition)
    {
        var response = await app.Api().PutAsJsonAsync($"/api/v1/forms/{key}", definition);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The hosted page's hidden fill-time stamp.</summary>
    public static string Stamp(string html) => StampRegex().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException("no stamp in the form");

    /// <summary>The stamp of the hosted form as a browser loads it now (the fill time runs from here).</summary>
    public static async Task<string> StampAsync(HttpClient client, string key) => Stamp(await client.GetStringAsync($"/f/{key}"));

    /// <summary>GET the hosted form, then POST it form-encoded with its stamp and these values, like a browser without JavaScript.</summary>
    public static async Task<HttpResponseMessage> PostAsBrowserAsync(HttpClient client, string key, params (string Name, string Value)[] values)
    {
        var page = await client.GetStringAsync($"/f/{key}");
        var fields = values.Select(v => new KeyValuePair<string, string>(v.Name, v.Value)).Append(new("_ts", Stamp(page))).Append(new("website", ""));
        return await client.PostAsync($"/f/{key}", new FormUrlEncodedContent(fields));
    }

    public static string ConfirmPath(MimeKit.MimeMessage message) =>
        ConfirmRegex().Match(message.TextBody ?? message.HtmlBody ?? "") is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException("no confirmation link");

    public static async Task<string> LeadIdAsync(NurtureApp app, string email) =>
        (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads?email={Uri.EscapeDataString(email)}"))!["items"]!.AsArray().Single()!["id"]!.GetValue<string>();

    public static async Task<JsonObject> LeadAsync(NurtureApp app, string id) => (await app.Api().GetFromJsonAsync<JsonObject>($"/api/v1/leads/{id}"))!;

    public static int LeadCount(NurtureApp app, string email) => app.Db(db => db.Leads.Count(l => l.EmailNormalized == email.ToLowerInvariant()));

    [GeneratedRegex("name=\"_ts\" value=\"([^\"]+)\"")] private static partial Regex StampRegex();
    [GeneratedRegex(@"https?://[^/\s""]+(/c/[A-Za-z0-9_-]+)")] private static partial Regex ConfirmRegex();
}
