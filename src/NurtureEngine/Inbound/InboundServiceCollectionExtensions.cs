using Hangfire;
using NurtureEngine.Mail;
using NurtureEngine.Scoring;
using NurtureEngine.Settings;
using NurtureEngine.Suppressions;

namespace NurtureEngine.Inbound;

public static class InboundServiceCollectionExtensions
{
    /// <summary>Engagement back in: the inbound mailbox, delivery feedback, suppression list, DKIM and score decay.</summary>
    public static IServiceCollection AddNurtureInbound(this IServiceCollection services)
    {
        services.AddOptions<ImapOptions>().BindConfiguration(ImapOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.Folder), "Inbound:Imap:Folder must not be empty.")
            .ValidateOnStart();
        services.AddOptions<NurtureOptions>()
            .Validate(o => string.IsNullOrWhiteSpace(o.Dkim.Selector) || o.Dkim.Enabled,
                "Nurture:Dkim needs Selector, Domain and PrivateKeyPem or PrivateKeyPath together.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Dkim.PrivateKeyPath) || File.Exists(o.Dkim.PrivateKeyPath),
                "Nurture:Dkim:PrivateKeyPath names a file that does not exist.");
        services.AddSingleton<DkimMessageSigner>();
        services.AddSingleton<ImapInboxPoller>();
        services.AddScoped<InboundProcessor>();
        services.AddScoped<DeliveryFeedback>();
        services.AddScoped<DeliveryWebhookService>();
        services.AddScoped<SuppressionList>();
        services.AddScoped<Leads.LeadEraser>();
        services.AddScoped<Preferences.PreferenceService>();
        services.AddScoped<InboundPollJob>();
        services.AddScoped<ScoreDecayJob>();
        return services;
    }

    /// <summary>The recurring jobs of this feature (worker role): the mailbox poll when configured, and daily-or-finer score decay.</summary>
    public static void AddInboundRecurringJobs(this IRecurringJobManager recurring, ImapOptions imap)
    {
        if (imap.Enabled) recurring.AddOrUpdate<InboundPollJob>(InboundPollJob.Id, j => j.RunAsync(CancellationToken.None), InboundPollJob.Cron(imap.PollSeconds));
        else recurring.RemoveIfExists(InboundPollJob.Id);
        recurring.AddOrUpdate<ScoreDecayJob>(ScoreDecayJob.Id, j => j.RunAsync(CancellationToken.None), Cron.Hourly());
    }
}
