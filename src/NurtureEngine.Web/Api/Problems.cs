using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using NurtureEngine.Common;

namespace NurtureEngine.Web.Api;

/// <summary>RFC 9457 problem+json responses.</summary>
public static class Problems
{
    public static Task Write(HttpContext context, int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new ValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail };
        problem.Instance = context.Request.Path;
        return context.Response.WriteAsync(JsonSerializer.Serialize<object>(problem, Json.Options));
    }

    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.Problem(new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The request breaks a rule",
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        });
}
