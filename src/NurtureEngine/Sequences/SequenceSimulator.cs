using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Mail;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sequences;

public sealed class SimulationInput
{
    public Guid? LeadId { get; set; }
    public LeadInput? Lead { get; set; }
    public List<SimulationEventInput>? Events { get; set; }
    /// <summary>How far ahead to simulate (default P90D).</summary>
    public string? Horizon { get; set; }
}

public sealed class SimulationEventInput
{
    /// <summary>ISO 8601 duration from the start of the simulation.</summary>
    public string? After { get; set; }
    public string? Type { get; set; }
    /// <summary>For engagement events: the step whose email was opened/clicked/replied (default: the latest email).</summary>
    public string? Step { get; set; }
    public JsonObject? Properties { get; set; }
}

public sealed record SimulatedEntry(DateTimeOffset At, string Kind, string Summary, JsonNode? Data);

/// <summary>
/// Runs a sequence for one lead on a virtual clock with the real engine, inside a transaction that
/// is rolled back: nothing is sent or stored, and what it returns is what the engine would do.
/// Emails are "delivered" at once (no SMTP); subjects are rendered exactly as they would be.
/// </summary>
public sealed class SequenceSimulator(IConfiguration configuration)
{
    private static readonly HashSet<string> Engagements = [ActivityKind.EmailOpened, ActivityKind.EmailClicked, ActivityKind.EmailReplied];

    public async Task<IReadOnlyList<SimulatedEntry>> RunAsync(string key, SimulationInput input, CancellationToken ct)
    {
        var events = Validate(input);
        var horizon = Iso8601Duration.TryParse(input.Horizon ?? "P90D") is { } h && h <= InputLimits.MaxSimulationHorizon ? h
            : throw new ValidationException("horizon", $"must be an ISO 8601 duration of at most {InputLimits.MaxSimulationHorizon.TotalDays:0} days");
        var clock = new VirtualClock(Pg.Microseconds(DateTimeOffset.UtcNow));
        var start = clock.GetUtcNow();
        await using var services = BuildServices(clock);
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<NurtureDbContext>();
        var sequence = await db.Sequences.FirstOrDefaultAsync(s => s.Key == key, ct) ?? throw new NotFoundException($"Sequence '{key}'");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var lead = input.LeadId is { } id
                ? await db.Leads.FirstOrDefaultAsync(l => l.Id == id, ct) ?? throw new ValidationException("leadId", "unknown lead")
                : await CreateLeadAsync(sp, input.Lead!, ct);
            await sp.GetRequiredService<Enroller>().EnrollAsync(lead, sequence, "simulation", ct);
            var pending = new Queue<(DateTimeOffset At, SimulationEventInput Event)>(events.Select(e => (start + e.After, e.Event)));
            for (var round = 0; round < 1000; round++)
            {
                await sp.GetRequiredService<SequenceRunner>().RunDueForLeadAsync(lead.Id, ct);
                await DeliverAsync(sp, lead, ct);
                var nextStep = await db.Enrollments.Where(e => e.LeadId == lead.Id && e.Status == EnrollmentStatus.Active && e.NextStepAt != null)
                    .MinAsync(e => e.NextStepAt, ct);
                var nextEvent = pending.Count > 0 ? pending.Peek().At : (DateTimeOffset?)null;
                var next = new[] { nextStep, nextEvent }.Where(t => t is not null).Min();
                if (next is null || next > start + horizon) break;
                if (next > clock.GetUtcNow()) clock.Set(next.Value);
                while (pending.Count > 0 && pending.Peek().At <= clock.GetUtcNow())
                    await ApplyAsync(sp, lead, pending.Dequeue().Event, ct);
            }
            await db.SaveChangesAsync(ct);
            var rows = await db.Activities.AsNoTracking().Where(a => a.LeadId == lead.Id && a.RecordedAt >= start)
                .OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(ct);
            return rows.Select(a => new SimulatedEntry(a.At, a.Kind, a.Summary, JsonNode.Parse(a.DataJson))).ToList();
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
        }
    }

    private ServiceProvider BuildServices(VirtualClock clock)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddNurtureEngine(configuration);
        services.AddSingleton<TimeProvider>(clock);
        services.AddScoped<IDueWorkSignal, NoNudges>();
        return services.BuildServiceProvider();
    }

    private static async Task<Lead> CreateLeadAsync(IServiceProvider sp, LeadInput input, CancellationToken ct)
    {
        var leads = sp.GetRequiredService<LeadService>();
        var created = await leads.UpsertAsync(input, StageChangeCause.Created, ct);
        return await sp.GetRequiredService<NurtureDbContext>().Leads.SingleAsync(l => l.Id == created.Lead.Id, ct);
    }

    /// <summary>Queued emails are taken as sent the moment they are queued.</summary>
    private static async Task DeliverAsync(IServiceProvider sp, Lead lead, CancellationToken ct)
    {
        var db = sp.GetRequiredService<NurtureDbContext>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        foreach (var m in await db.Messages.Where(m => m.LeadId == lead.Id && m.Status == MessageStatus.Scheduled).OrderBy(m => m.CreatedAt).ToListAsync(ct))
        {
            m.Status = MessageStatus.Sent;
            m.SentAt = now;
            if (m.Kind == MessageKind.Marketing)
                await sp.GetRequiredService<EngagementRecorder>().RecordAsync(lead, ActivityKind.EmailSent, $"Email \"{m.Subject}\" sent",
                    new { subject = m.Subject, to = m.ToAddress, simulated = true }, m.Id, m.SequenceId, m.StepId, ct);
        }
        await db.SaveChangesAsync(ct);
    }

    private static async Task ApplyAsync(IServiceProvider sp, Lead lead, SimulationEventInput e, CancellationToken ct)
    {
        var db = sp.GetRequiredService<NurtureDbContext>();
        var engagement = sp.GetRequiredService<EngagementRecorder>();
        if (Engagements.Contains(e.Type!))
        {
            var message = await db.Messages.Where(m => m.LeadId == lead.Id && m.Status == MessageStatus.Sent && m.Kind == MessageKind.Marketing
                    && (e.Step == null || m.StepId == e.Step))
                .OrderByDescending(m => m.SentAt).FirstOrDefaultAsync(ct);
            if (message is null) return;
            await engagement.RecordAsync(lead, e.Type!, $"{e.Type} \"{message.Subject}\" (simulated)", new { subject = message.Subject, simulated = true },
                message.Id, message.SequenceId, message.StepId, ct);
            return;
        }
        var activity = sp.GetRequiredService<TimelineWriter>().Add(lead.Id, ActivityKind.BuiltInEvents.Contains(e.Type!) ? e.Type! : ActivityKind.Event,
            $"Event {e.Type} (simulated)", new { type = e.Type, properties = e.Properties }, eventType: e.Type);
        await engagement.RecordAsync(lead, activity, e.Properties, ct);
    }

    private static List<(TimeSpan After, SimulationEventInput Event)> Validate(SimulationInput input)
    {
        var errors = new Errors();
        if (input.LeadId is null && input.Lead is null) errors.Add("lead", "a lead (inline) or leadId is required");
        if (input.Lead is not null && !EmailAddress.IsValid(input.Lead.Email)) errors.Add("lead.email", "a valid email address is required");
        if (input.Events is { Count: > InputLimits.MaxSimulationEvents })
            throw new ValidationException("events", $"at most {InputLimits.MaxSimulationEvents} events a simulation");
        var events = new List<(TimeSpan, SimulationEventInput)>();
        for (var i = 0; i < (input.Events?.Count ?? 0); i++)
        {
            var e = input.Events![i];
            if (Iso8601Duration.TryParse(e.After) is not { } after) { errors.Add($"events[{i}].after", "an ISO 8601 duration such as PT1H is required"); continue; }
            if (!Slug.IsName(e.Type)) { errors.Add($"events[{i}].type", "an event type is required"); continue; }
            events.Add((after, e));
        }
        errors.ThrowIfAny();
        return events.OrderBy(e => e.Item1).ToList();
    }

    private sealed class NoNudges : IDueWorkSignal
    {
        public Task NudgeAsync(DateTimeOffset at, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class VirtualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Set(DateTimeOffset at) => _now = at;
    }
}
