using NurtureEngine.Templates;

namespace NurtureEngine.Web.Tracking;

/// <summary>
/// Uploaded email images, public (mail clients fetch them without a session) and cached for a year:
/// an image never changes under its id. Served only with the type its bytes were checked to be.
/// </summary>
public static class ImageEndpoints
{
    public static string Path(Guid id) => $"/i/{id:N}";

    public static void MapNurtureImages(this WebApplication app) =>
        app.MapGet("/i/{id:guid}", async (Guid id, HttpContext http, EmailImageStore images, CancellationToken ct) =>
        {
            if (await images.FindAsync(id, ct) is not { } image) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'";
            return Results.File(image.Content, image.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{image.Sha256}\""));
        }).AllowAnonymous();
}
