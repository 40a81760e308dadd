using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Mail;
using NurtureEngine.Sequences;

namespace NurtureEngine.Broadcasts;

/// <summary>
/// Defines broadcasts and moves them through their life: draft → scheduled → sending ⇄ paused → sent,
/// or cancelled. Every change locks the broadcast's row, so two requests never both start it.
/// </summary>
public sealed class BroadcastService(NurtureDbContext db, UnitOfWork work, SequenceValidator validator, BroadcastStarter starter,
    BroadcastReport report, TimeProvider clock)
{
    public Task<(BroadcastDto Broadcast, bool Created)> PutAsync(string key, BroadcastDefinition definition, CancellationToken ct) =>
        CreateRace.RetryAsync(db, () => work.RunAsync(async c =>
        {
            if (!Slug.IsKey(key)) throw new ValidationException("key", "must be a lowercase slug");
            await ValidateAsync(definition, c);
            var now = clock.GetUtcNow();
            var broadcast = await LockAsync(key, c);
            var created = broadcast is null;
            if (broadcast is null)
                db.Broadcasts.Add(broadcast = new Broadcast { Key = key, Name = definition.Name!, DefinitionJson = "{}", CreatedAt = now });
            else if (broadcast.Status is not (BroadcastStatus.Draft or BroadcastStatus.Scheduled))
                throw new ConflictException($"Broadcast '{key}' is {Status(broadcast)}: it can no longer be edited.");
            broadcast.Name = definition.Name!;
            broadcast.DefinitionJson = Json.Serialize(definition);
            broadcast.UpdatedAt = now;
            Schedule(broadcast, definition);
            await db.SaveChangesAsync(c);
            return (await report.ToDtoAsync(broadcast, c), created);
        }, ct));

    /// <summary>The audience a definition would have now, without saving it (validated as a save would be).</summary>
    public async Task<int> CountAudienceAsync(BroadcastDefinition definition, CancellationToken ct)
    {
        await ValidateAsync(definition, ct);
        return await starter.CountAsync(definition, ct);
    }

    public async Task<IReadOnlyList<BroadcastDto>> ListAsync(CancellationToken ct)
    {
        var all = await db.Broadcasts.AsNoTracking().OrderByDescending(b => b.CreatedAt).ToListAsync(ct);
        return await report.ToDtosAsync(all, ct);
    }

    public async Task<BroadcastDto> GetAsync(string key, CancellationToken ct) =>
        await report.ToDtoAsync(await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(b => b.Key == key, ct) ?? throw NotFound(key), ct);

    /// <summary>Schedules (or reschedules) the start; a time already past starts it on the next tick.</summary>
    public Task<BroadcastDto> ScheduleAsync(string key, DateTimeOffset? sendAt, CancellationToken ct) => ChangeAsync(key, async (b, c) =>
    {
        if (sendAt is null) throw new ValidationException("sendAt", "an ISO 8601 date and time is required");
        if (b.Status is not (BroadcastStatus.Draft or BroadcastStatus.Scheduled)) throw Conflict(b, "scheduled");
        var definition = Json.Deserialize<BroadcastDefinition>(b.DefinitionJson);
        definition.SendAt = sendAt;
        b.DefinitionJson = Json.Serialize(definition);
        Schedule(b, definition);
        await Task.CompletedTask;
    }, ct);

    /// <summary>Starts now: the audience is frozen in this request and the first emails are queued within a tick.</summary>
    public Task<BroadcastDto> SendAsync(string key, CancellationToken ct) => ChangeAsync(key, async (b, c) =>
    {
        if (b.Status is BroadcastStatus.Sending or BroadcastStatus.Paused or BroadcastStatus.Sent) return; // already started: nothing to do
        if (b.Status is not (BroadcastStatus.Draft or BroadcastStatus.Scheduled)) throw Conflict(b, "sent");
        await starter.StartAsync(b, c);
    }, ct);

    /// <summary>Nothing more goes out until resumed, including what the lanes already hold (<see cref="PausedMail"/>).</summary>
    public Task<BroadcastDto> PauseAsync(string key, CancellationToken ct) => ChangeAsync(key, async (b, c) =>
    {
        if (b.Status is BroadcastStatus.Paused) return;
        if (b.Status is not BroadcastStatus.Sending) throw Conflict(b, "paused");
        b.Status = BroadcastStatus.Paused;
        await PausedMail.TakeBackFromBroadcastAsync(db, b.Id, c);
    }, ct);

    public Task<BroadcastDto> ResumeAsync(string key, CancellationToken ct) => ChangeAsync(key, (b, _) =>
    {
        if (b.Status is BroadcastStatus.Sending) return Task.CompletedTask;
        if (b.Status is not BroadcastStatus.Paused) throw Conflict(b, "resumed");
        b.Status = BroadcastStatus.Sending;
        work.WorkDueNow();
        return Task.CompletedTask;
    }, ct);

    /// <summary>Nothing more is sent: emails queued and not yet on the wire are cancelled (a lane never takes them after this commits).</summary>
    public Task<BroadcastDto> CancelAsync(string key, CancellationToken ct) => ChangeAsync(key, async (b, c) =>
    {
        if (b.Status is BroadcastStatus.Cancelled) return;
        if (b.Status is BroadcastStatus.Sent) throw Conflict(b, "cancelled");
        b.Status = BroadcastStatus.Cancelled;
        b.FinishedAt = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE nurture.message SET status = 'Cancelled', error = 'the broadcast was cancelled', lease_owner = NULL, lease_until = NULL
            WHERE broadcast_id = {b.Id} AND status = 'Scheduled'
            """, c);
    }, ct);

    private Task<BroadcastDto> ChangeAsync(string key, Func<Broadcast, CancellationToken, Task> change, CancellationToken ct) => work.RunAsync(async c =>
    {
        var broadcast = await LockAsync(key, c) ?? throw NotFound(key);
        await change(broadcast, c);
        broadcast.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(c);
        return await report.ToDtoAsync(broadcast, c);
    }, ct);

    private async Task<Broadcast?> LockAsync(string key, CancellationToken ct) =>
        (await db.Broadcasts.FromSql($"SELECT * FROM nurture.broadcast WHERE key = {key} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();

    /// <summary>With a send time it is scheduled; without, a draft. <c>localTime</c> starts when the earliest zone (UTC+14) reaches it.</summary>
    private void Schedule(Broadcast b, BroadcastDefinition d)
    {
        b.Status = d.SendAt is null ? BroadcastStatus.Draft : BroadcastStatus.Scheduled;
        b.StartAt = d.SendAt is not { } at ? null : d.LocalTime ? LocalSendTime.EarliestStart(at) : at;
        if (b.StartAt is { } start) work.WorkDueAt(start);
    }

    private async Task ValidateAsync(BroadcastDefinition d, CancellationToken ct)
    {
        var errors = new Errors();
        if (InputLimits.NameProblem(d.Name) is { } nameProblem) errors.Add("name", nameProblem);
        var templates = (await db.Templates.Select(t => t.Key).ToListAsync(ct)).ToHashSet();
        if (d.Template is null) errors.Add("template", "a template key is required");
        else if (!templates.Contains(d.Template)) errors.Add("template", $"unknown template '{d.Template}'");
        if ((d.Segment is null) == (d.Filter is null)) errors.Add("segment", "give either a segment key or a filter");
        else if (d.Segment is not null && !await db.Segments.AnyAsync(s => s.Key == d.Segment, ct)) errors.Add("segment", $"unknown segment '{d.Segment}'");
        if (d.Topic is not null && !Slug.IsKey(d.Topic)) errors.Add("topic", "must be a lowercase slug, e.g. product-news");
        if (d.AbTest is { } ab)
        {
            if (ab.Variants is not { Count: > 0 }) errors.Add("abTest.variants", "at least one variant is required");
            else if (ab.Variants.Count > 10) errors.Add("abTest.variants", "at most 10 variants");
            else
                for (var i = 0; i < ab.Variants.Count; i++)
                {
                    var v = ab.Variants[i];
                    if (v is null) { errors.Add($"abTest.variants[{i}]", "a variant is required"); continue; }
                    if (v.Template is null || !templates.Contains(v.Template)) errors.Add($"abTest.variants[{i}].template", $"unknown template '{v.Template}'");
                    if (v.Weight is not (null or (>= 1 and <= 100))) errors.Add($"abTest.variants[{i}].weight", "must be 1 to 100");
                }
            if (ab.SamplePercent is not (>= 1 and <= 100)) errors.Add("abTest.samplePercent", "must be 1 to 100");
            if (ab.WinnerBy is null || !WinnerBy.All.Contains(ab.WinnerBy)) errors.Add("abTest.winnerBy", "must be clicks, replies or opens");
            if (Iso8601Duration.TryParse(ab.DecideAfter) is null) errors.Add("abTest.decideAfter", "must be an ISO 8601 duration, e.g. PT4H");
        }
        errors.ThrowIfAny();
        if (d.Filter is not null) await validator.ValidateConditionAsync(d.Filter, "filter", ct);
    }

    private static NotFoundException NotFound(string key) => new($"Broadcast '{key}'");

    private static ConflictException Conflict(Broadcast b, string action) =>
        new($"Broadcast '{b.Key}' is {Status(b)}: it cannot be {action}.");

    internal static string Status(Broadcast b) => b.Status.ToString().ToLowerInvariant();
}
