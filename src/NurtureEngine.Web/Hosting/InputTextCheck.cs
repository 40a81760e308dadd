using NurtureEngine.Common;
using NurtureEngine.Web.Api;

namespace NurtureEngine.Web.Hosting;

/// <summary>
/// The boundary for text outside JSON bodies (the server itself refuses a NUL in the path): a query parameter or form field holding a NUL or
/// an unpaired surrogate (or longer than <see cref="InputLimits.MaxTextChars"/>) is refused here with a
/// problem naming it (400 in the query string, 422 in a form), so it never reaches PostgreSQL; a form body that cannot be parsed is a 400.
/// JSON bodies are checked by <see cref="JsonBody"/>.
/// </summary>
public static class InputTextCheck
{
    public static void UseNurtureInputTextCheck(this WebApplication app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, values) in request.Query)
            Collect(errors, name, values);
        if (errors.Count > 0)
        {
            // API.md: such text is 422 naming the field, "400 in a query string" (a URL that is not one we accept).
            await Problems.Write(context, 400, "Malformed request", Detail(errors), errors);
            return;
        }
        if (request.HasFormContentType && !HttpMethods.IsGet(request.Method))
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
            {
                await Problems.Write(context, 400, "Malformed request", "The form body could not be read: " + e.Message);
                return;
            }
            foreach (var (name, values) in form)
                Collect(errors, name, values);
            foreach (var file in form.Files)
                if (InputText.Problem(file.FileName) is { } bad) errors[file.Name] = ["the file name " + bad];
        }
        if (errors.Count > 0)
        {
            await Problems.Write(context, 422, "The request breaks a rule", Detail(errors), errors);
            return;
        }
        await next(context);
    });

    private static string Detail(Dictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));

    private static void Collect(Dictionary<string, string[]> errors, string name, Microsoft.Extensions.Primitives.StringValues values)
    {
        var field = InputText.Problem(name) is null ? name : "parameter";
        if (InputText.Problem(name) is { } badName) { errors[field] = ["the name " + badName]; return; }
        foreach (var value in values)
            if (InputText.Problem(value) is { } bad) { errors[field] = [bad]; return; }
    }
}
