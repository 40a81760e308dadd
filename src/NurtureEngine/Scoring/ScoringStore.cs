using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Settings;

namespace NurtureEngine.Scoring;

/// <summary>Reads and replaces the installation's scoring configuration (one JSON document).</summary>
public sealed class ScoringStore(NurtureDbContext db)
{
    private const string Key = "scoring";
    private ScoringConfig? _loaded;

    public async Task<ScoringConfig> GetAsync(CancellationToken ct = default)
    {
        if (_loaded is not null) return _loaded;
        var row = await db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == Key, ct);
        return _loaded = row is null ? new ScoringConfig() : Json.Deserialize<ScoringConfig>(row.Value);
    }

    public async Task PutAsync(ScoringConfig config, CancellationToken ct = default)
    {
        await ValidateAsync(config, ct);
        var json = Json.Serialize(config);
        var row = await db.Settings.FirstOrDefaultAsync(s => s.Key == Key, ct);
        if (row is null) db.Settings.Add(new Setting { Key = Key, Value = json });
        else row.Value = json;
        await db.SaveChangesAsync(ct);
        _loaded = config;
    }

    private async Task ValidateAsync(ScoringConfig config, CancellationToken ct)
    {
        var errors = new Errors();
        if (config.Rules is null) errors.Add("rules", "must be a list (empty for none)");
        if (config.Thresholds is null) errors.Add("thresholds", "must be a list (empty for none)");
        errors.ThrowIfAny();
        for (var i = 0; i < config.Rules!.Count; i++)
        {
            if (!Slug.IsName(config.Rules[i].Event)) errors.Add($"rules[{i}].event", "must be an event name like email_clicked");
            Automation.PropertyFilter.Validate(config.Rules[i].Where, $"rules[{i}].where", errors);
            if (Math.Abs(config.Rules[i].Points) > InputLimits.MaxPoints)
                errors.Add($"rules[{i}].points", $"between -{InputLimits.MaxPoints} and {InputLimits.MaxPoints}");
        }
        if (config.Decay is { } decay)
        {
            if (decay.Percent is < 0 or > 100) errors.Add("decay.percent", "must be between 0 and 100");
            if (Iso8601Duration.TryParse(decay.Every) is null) errors.Add("decay.every", "must be an ISO 8601 duration such as P30D");
        }
        for (var i = 0; i < config.Thresholds!.Count; i++)
        {
            var t = config.Thresholds[i];
            if (Math.Abs(t.Score) > InputLimits.MaxThresholdScore)
                errors.Add($"thresholds[{i}].score", $"between -{InputLimits.MaxThresholdScore:N0} and {InputLimits.MaxThresholdScore:N0}");
            var stages = await db.Stages.Where(s => s.Pipeline.Key == t.Pipeline).Select(s => new { s.Key, s.Position }).ToListAsync(ct);
            if (stages.Count == 0) { errors.Add($"thresholds[{i}].pipeline", $"unknown pipeline '{t.Pipeline}'"); continue; }
            var from = stages.FirstOrDefault(s => s.Key == t.FromStage);
            var to = stages.FirstOrDefault(s => s.Key == t.Stage);
            if (from is null) errors.Add($"thresholds[{i}].fromStage", $"unknown stage '{t.FromStage}'");
            if (to is null) errors.Add($"thresholds[{i}].stage", $"unknown stage '{t.Stage}'");
            if (from is not null && to is not null && to.Position <= from.Position)
                errors.Add($"thresholds[{i}].stage", "a threshold only moves leads forward: the stage must come after fromStage");
        }
        errors.ThrowIfAny();
    }
}
