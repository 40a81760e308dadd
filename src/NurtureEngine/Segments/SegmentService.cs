using Microsoft.EntityFrameworkCore;
using NurtureEngine.Automation;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;
using NurtureEngine.Sequences;

namespace NurtureEngine.Segments;

public sealed record SegmentDto(string Key, string Name, Condition Filter, int Members);

public sealed class SegmentInput
{
    public string? Name { get; set; }
    public Condition? Filter { get; set; }
}

public sealed class SegmentService(NurtureDbContext db, SegmentTracker tracker, SequenceValidator validator, UnitOfWork work, Enroller enroller, TimeProvider clock)
{
    public Task<(SegmentDto Segment, bool Created)> PutAsync(string key, SegmentInput input, CancellationToken ct) => CreateRace.RetryAsync(db, () => work.RunAsync(async c =>
    {
        if (!Slug.IsKey(key)) throw new ValidationException("key", "must be a lowercase slug");
        if (input.Filter is null) throw new ValidationException("filter", "a condition is required");
        if (input.Name is not null && InputLimits.NameProblem(input.Name) is { } nameProblem) throw new ValidationException("name", nameProblem);
        await validator.ValidateConditionAsync(input.Filter, "filter", c);
        var now = clock.GetUtcNow();
        var segment = await db.Segments.FirstOrDefaultAsync(s => s.Key == key, c);
        var created = segment is null;
        if (segment is null) db.Segments.Add(segment = new Segment { Key = key, Name = input.Name ?? key, FilterJson = "{}", CreatedAt = now });
        segment.Name = input.Name ?? segment.Name;
        segment.FilterJson = Json.Serialize(input.Filter);
        segment.UpdatedAt = now;
        await db.SaveChangesAsync(c);
        await tracker.RebuildAsync(segment, c);
        return (await ToDtoAsync(segment, c), created);
    }, ct));

    /// <summary>How many leads a filter would hold now, without saving it (the builder's live count).</summary>
    public async Task<int> CountAsync(Condition? filter, CancellationToken ct)
    {
        if (filter is null) throw new ValidationException("filter", "a condition is required");
        await validator.ValidateConditionAsync(filter, "filter", ct);
        return await tracker.CountAsync(filter, ct);
    }

    public async Task<IReadOnlyList<SegmentDto>> ListAsync(CancellationToken ct)
    {
        var result = new List<SegmentDto>();
        foreach (var s in await db.Segments.AsNoTracking().OrderBy(s => s.Key).ToListAsync(ct)) result.Add(await ToDtoAsync(s, ct));
        return result;
    }

    public async Task<SegmentDto?> GetAsync(string key, CancellationToken ct) =>
        await db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, ct) is { } s ? await ToDtoAsync(s, ct) : null;

    public async Task<LeadPage> LeadsAsync(string key, int limit, string? cursor, CancellationToken ct)
    {
        var segment = await db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, ct) ?? throw new NotFoundException($"Segment '{key}'");
        return await KeysetPage.ReadAsync(db, db.Leads.AsNoTracking().Where(l => db.SegmentMembers.Any(m => m.SegmentId == segment.Id && m.LeadId == l.Id)), limit, cursor, ct);
    }

    /// <summary>Bulk enroll: every current member enters the sequence (those already in it are skipped).</summary>
    public Task<int> EnrollAllAsync(string key, string sequenceKey, CancellationToken ct) => work.RunAsync(async c =>
    {
        var segment = await db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, c) ?? throw new NotFoundException($"Segment '{key}'");
        var sequence = await db.Sequences.FirstOrDefaultAsync(s => s.Key == sequenceKey, c) ?? throw new ValidationException("sequence", $"unknown sequence '{sequenceKey}'");
        var leads = await db.Leads.Where(l => db.SegmentMembers.Any(m => m.SegmentId == segment.Id && m.LeadId == l.Id)).OrderBy(l => l.Id).ForUpdate().ToListAsync(c);
        var enrolled = 0;
        foreach (var lead in leads)
            if (await enroller.EnrollAsync(lead, sequence, $"bulk enroll of segment {key}", c) is not null) enrolled++;
        return enrolled;
    }, ct);

    private async Task<SegmentDto> ToDtoAsync(Segment s, CancellationToken ct) =>
        new(s.Key, s.Name, Json.Deserialize<Condition>(s.FilterJson), await db.SegmentMembers.CountAsync(m => m.SegmentId == s.Id, ct));
}
