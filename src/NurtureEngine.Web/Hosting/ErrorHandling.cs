using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using NurtureEngine.Common;
using NurtureEngine.Web.Api;

namespace NurtureEngine.Web.Hosting;

public static partial class ErrorHandling
{
    /// <summary>Maps domain exceptions to problem+json for /api; a database outage is 503, never a stack trace.</summary>
    public static void UseNurtureErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // The middleware's own "unhandled exception" error log (with a stack) is only for real faults:
            // an expected refusal is logged below at Information, one line, no stack.
            SuppressDiagnosticsCallback = c => Classify(c.Exception).Status < 500,
            ExceptionHandler = Handle,
        });

        async Task Handle(HttpContext context)
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, title, detail, errors) = Classify(error);
            if (status >= 500)
                LogUnhandled(app.Logger, context.Request.Path, error);
            else
                LogRefused(app.Logger, context.Request.Method, context.Request.Path, status, detail);
            if (status == 503) context.Response.Headers.RetryAfter = "5";
            if (context.Request.Path.StartsWithSegments("/api") || status < 500)
                await Problems.Write(context, status, title, detail, errors);
            else
            {
                context.Response.StatusCode = status;
                await context.Response.WriteAsync(status == 503 ? "Service unavailable: the database is unreachable. Try again shortly." : "Something went wrong.");
            }
        }
    }

    private static (int Status, string Title, string Detail, IDictionary<string, string[]>? Errors) Classify(Exception? error) =>
            error switch
            {
                MalformedJsonException e => (400, "Malformed request", e.Message, null),
                InvalidDataException e => (400, "Malformed request", e.Message, null),
                PayloadTooLargeException e => (413, "Payload too large", e.Message, null),
                BadHttpRequestException e => (e.StatusCode, "Bad request", e.Message, null),
                ValidationException e => (422, "The request breaks a rule", e.Message, e.Errors),
                NotFoundException e => (404, "Not found", e.Message, null),
                ConflictException e => (409, "Conflict", e.Message, null),
                _ when IsDatabaseOutage(error) => (503, "Service unavailable", "The database is unreachable; try again shortly.", (IDictionary<string, string[]>?)null),
                _ => (500, "Internal error", "Something went wrong; it has been logged.", null),
            };

    public static bool IsDatabaseOutage(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is NpgsqlException { IsTransient: true } or TimeoutException || e is NpgsqlException && e.InnerException is System.Net.Sockets.SocketException)
                return true;
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {Status}: {Detail}")]
    static partial void LogRefused(ILogger logger, string method, string path, int status, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    static partial void LogUnhandled(ILogger logger, string path, Exception? e);
}
