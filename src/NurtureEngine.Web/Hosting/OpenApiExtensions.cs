using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NurtureEngine.Web.Api;
using Scalar.AspNetCore;

namespace NurtureEngine.Web.Hosting;

/// <summary>The OpenAPI document of every <c>/api</c> endpoint (<c>/openapi/v1.json</c>) and its reference page (<c>/docs</c>).</summary>
public static class OpenApiExtensions
{
    public static WebApplicationBuilder AddNurtureOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "NurtureEngine API",
                    Version = "v1",
                    Description = "Leads, events, templates, sequences, scoring, pipelines and webhooks. Authenticate with `Authorization: Bearer <api key>`. Errors are application/problem+json (RFC 9457).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key: `Authorization: Bearer ne_...`",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] }];
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
                    operation.Security = [];
                // "tasks/{id:long}/done" is documented as "tasks/{id}/done": drop route constraints.
                var path = System.Text.RegularExpressions.Regex.Replace(context.Description.RelativePath ?? "", @"\{(\w+)[:?][^}]*\}", "{$1}");
                var key = $"{context.Description.HttpMethod} /{path}";
                if (!ApiDocs.Endpoints.TryGetValue(key, out var entry)) return Task.CompletedTask;
                operation.Summary = entry.Summary;
                operation.Description ??= entry.Description;
                if (entry.RequestExample is { } example && operation.RequestBody is null)
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object }, Example = JsonNode.Parse(example) },
                        },
                    };
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static void MapNurtureOpenApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("NurtureEngine API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
    }
}
