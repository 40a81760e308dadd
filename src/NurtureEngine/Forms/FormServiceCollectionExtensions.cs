using NurtureEngine.Website;

namespace NurtureEngine.Forms;

public static class FormServiceCollectionExtensions
{
    /// <summary>Lead capture (issue 17): forms, double opt-in, website behaviour.</summary>
    public static IServiceCollection AddNurtureForms(this IServiceCollection services)
    {
        services.AddOptions<FormOptions>().BindConfiguration(FormOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebsiteTrackingOptions>().BindConfiguration(WebsiteTrackingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FormTokens>();
        services.AddScoped<FormService>();
        services.AddScoped<FormSubmitter>();
        services.AddScoped<ConfirmationMailer>();
        services.AddScoped<ConfirmationHold>();
        services.AddScoped<FormReports>();
        services.AddScoped<WebsiteTracker>();
        services.AddSingleton<PageViewBatcher>();
        return services;
    }
}
