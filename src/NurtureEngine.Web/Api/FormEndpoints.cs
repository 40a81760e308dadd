using NurtureEngine.Common;
using NurtureEngine.Forms;

namespace NurtureEngine.Web.Api;

public static class FormEndpoints
{
    public static void MapForms(this RouteGroupBuilder api)
    {
        api.MapPut("/forms/{key}", async (string key, HttpRequest request, FormService forms, CancellationToken ct) =>
        {
            var (form, created) = await forms.PutAsync(key, await JsonBody.ReadAsync<FormDefinition>(request, ct), ct);
            return ApiEndpoints.Stored(ToJson(form), created, $"/api/v1/forms/{key}");
        });
        api.MapGet("/forms", async (FormService forms, CancellationToken ct) => Results.Ok((await forms.ListAsync(ct)).Select(ToJson)));
        api.MapGet("/forms/{key}", async (string key, FormService forms, CancellationToken ct) =>
            await forms.GetAsync(key, ct) is { } f ? Results.Ok(ToJson(f)) : throw new NotFoundException($"Form '{key}'"));
        api.MapGet("/forms/{key}/report", async (string key, FormReports reports, CancellationToken ct) =>
            (await reports.FormsAsync(key, ct)).FirstOrDefault() is { } r ? Results.Ok(r) : throw new NotFoundException($"Form '{key}'"));
        api.MapGet("/reports/forms", async (FormReports reports, CancellationToken ct) =>
            Results.Ok(new { forms = await reports.FormsAsync(null, ct), topPagesOfMqls = await reports.TopPagesOfMqlsAsync(10, ct) }));
    }

    /// <summary>The definition as stored, with the key, view count and times.</summary>
    private static object ToJson(FormDto f) => new
    {
        key = f.Key, name = f.Definition.Name, fields = f.Definition.Fields, consentText = f.Definition.ConsentText, doubleOptIn = f.Definition.DoubleOptIn,
        confirmTemplate = f.Definition.ConfirmTemplate, tags = f.Definition.Tags ?? [], source = f.Definition.Source, pipeline = f.Definition.Pipeline,
        stage = f.Definition.Stage, redirectUrl = f.Definition.RedirectUrl, asset = f.Definition.Asset, allowedOrigins = f.Definition.AllowedOrigins ?? [],
        submitLabel = f.Definition.SubmitLabel, views = f.Views, createdAt = f.CreatedAt, updatedAt = f.UpdatedAt,
    };
}
