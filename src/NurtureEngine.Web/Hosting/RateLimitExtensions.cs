using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using NurtureEngine.ApiKeys;
using NurtureEngine.Web.Api;

namespace NurtureEngine.Web.Hosting;

/// <summary>
/// ASP.NET Core's rate limiter on the public surface: the API per key, tracking and unsubscribe
/// links per IP, sign-in per IP. Refusals are 429 problem+json with Retry-After.
/// </summary>
public static partial class RateLimitExtensions
{
    public const string Api = "api", Public = "public", Login = "login", FormSubmit = "form-submit";

    public static WebApplicationBuilder AddNurtureRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(Api, context => PerMinute(context, l => l.ApiPerKeyPerMinute, ApiPartition(context)));
            o.AddPolicy(Public, context => PerMinute(context, l => l.PublicPerIpPerMinute, "ip:" + ClientIp(context)));
            o.AddPolicy(FormSubmit, context => PerMinute(context, l => l.FormSubmitsPerIpPerMinute, "form:" + ClientIp(context)));
            // Only attempts count: showing the form is free.
            o.AddPolicy(Login, context => HttpMethods.IsPost(context.Request.Method)
                ? PerMinute(context, l => l.LoginPerIpPerMinute, "ip:" + ClientIp(context))
                : RateLimitPartition.GetNoLimiter("form"));
            o.OnRejected = async (rejected, ct) =>
            {
                var context = rejected.HttpContext;
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : 60;
                context.Response.Headers.RetryAfter = Math.Max(1, seconds).ToString(CultureInfo.InvariantCulture);
                LogRejected(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimitExtensions)), context.Request.Path, ClientIp(context));
                await Problems.Write(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"Rate limit reached; retry after {Math.Max(1, seconds)} s (see docs/API-EXTENSIONS.md, \"Rate limits\").");
            };
        });
        return builder;
    }

    private static RateLimitPartition<string> PerMinute(HttpContext context, Func<RateLimitOptions, int> limit, string partition)
    {
        var permits = limit(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        return permits == 0
            ? RateLimitPartition.GetNoLimiter(partition)
            : RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
    }

    /// <summary>The key's hash (the key itself is never kept, not even in memory as a dictionary key); no key: the IP.</summary>
    private static string ApiPartition(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length <= 220
            ? "key:" + ApiKeyService.Hash(header["Bearer ".Length..].Trim())
            : "ip:" + ClientIp(context);
    }

    private static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limit reached on {Path} from {ClientIp}")]
    static partial void LogRejected(ILogger logger, string path, string clientIp);
}
