using Npgsql;
using NpgsqlTypes;

namespace NurtureEngine.Bench;

/// <summary>Bulk loads with binary COPY, as an import would.</summary>
public static class BulkLoad
{
    public sealed record Ids(long PipelineId, long[] StageIds, long SequenceId, long VersionId, string FirstStep);

    public static async Task<Ids> IdsAsync(Engine e, string sequenceKey = "welcome")
    {
        var pipeline = await e.ScalarAsync<long>("SELECT id FROM nurture.pipeline WHERE key = 'default'");
        var stages = new List<long>();
        await using (var c = Bulk(e))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"SELECT id FROM nurture.stage WHERE pipeline_id = {pipeline} ORDER BY position, id", c);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) stages.Add(r.GetInt64(0));
        }
        var sequence = await e.ScalarAsync<long>($"SELECT id FROM nurture.sequence WHERE key = '{sequenceKey}'");
        var version = await e.ScalarAsync<long>($"SELECT v.id FROM nurture.sequence_version v JOIN nurture.sequence s ON s.id = v.sequence_id AND v.version = s.current_version WHERE s.id = {sequence}");
        return new Ids(pipeline, stages.ToArray(), sequence, version, sequenceKey == "welcome" ? "welcome" : "playbook");
    }

    /// <summary>
    /// Leads lead-{offset}..; stage and score spread over the pipeline; returns their ids in order. With
    /// <paramref name="owners"/>, each lead also gets an owner (round robin), a deal value and a source. With
    /// <paramref name="history"/>, one stage change each within 90 days; with <paramref name="madeAtStageChange"/> too,
    /// the lead was made then (entering its stage), else all were made now.
    /// </summary>
    public static async Task<Guid[]> LeadsAsync(Engine e, Ids ids, int count, int offset, string domain = "bench.test", bool allInFirstStage = false,
        bool history = false, string[]? owners = null, bool madeAtStageChange = false)
    {
        var result = new Guid[count];
        var stageOf = new long[count];
        var rnd = new Random(offset + 17);
        var now = DateTimeOffset.UtcNow;
        var changedAt = new DateTimeOffset[count];
        for (var i = 0; i < count; i++) changedAt[i] = now.AddMinutes(-rnd.Next(90 * 24 * 60));
        string[] companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"];
        string[] sources = ["webinar", "ads", "referral", "organic", "event"];
        await using var c = Bulk(e);
        await c.OpenAsync();
        await using (var w = await c.BeginBinaryImportAsync("""
            COPY nurture.lead (id, email, email_normalized, first_name, last_name, company, tags, attributes, pipeline_id, stage_id,
                               stage_entered_at, score, status, soft_bounces, created_at, updated_at, owner, deal_value, source) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < count; i++)
            {
                var n = offset + i;
                var id = Guid.CreateVersion7();
                result[i] = id;
                var email = $"lead-{n}@{domain}";
                await w.StartRowAsync();
                await w.WriteAsync(id, NpgsqlDbType.Uuid);
                await w.WriteAsync(email, NpgsqlDbType.Text);
                await w.WriteAsync(email, NpgsqlDbType.Text);
                await w.WriteAsync($"First{n % 997}", NpgsqlDbType.Text);
                await w.WriteAsync($"Last{n % 991}", NpgsqlDbType.Text);
                await w.WriteAsync(companies[n % companies.Length], NpgsqlDbType.Text);
                await w.WriteAsync(n % 10 == 0 ? new[] { "vip" } : Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await w.WriteAsync("{}", NpgsqlDbType.Jsonb);
                await w.WriteAsync(ids.PipelineId, NpgsqlDbType.Bigint);
                // 60% lead, then a tapering funnel over the other stages
                var stage = allInFirstStage ? 0 : rnd.Next(100) switch { < 60 => 0, < 80 => 1, < 90 => 2, < 95 => 3, < 98 => 4, _ => 5 };
                stageOf[i] = ids.StageIds[Math.Min(stage, ids.StageIds.Length - 1)];
                await w.WriteAsync(stageOf[i], NpgsqlDbType.Bigint);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(rnd.Next(0, 60), NpgsqlDbType.Integer);
                await w.WriteAsync("Subscribed", NpgsqlDbType.Varchar);
                await w.WriteAsync(0, NpgsqlDbType.Integer);
                await w.WriteAsync(history && madeAtStageChange ? changedAt[i] : now, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
                if (owners is null) { await w.WriteNullAsync(); await w.WriteNullAsync(); await w.WriteNullAsync(); }
                else
                {
                    await w.WriteAsync(owners[n % owners.Length], NpgsqlDbType.Text);
                    await w.WriteAsync((decimal)(500 + rnd.Next(200) * 100), NpgsqlDbType.Numeric);
                    await w.WriteAsync(sources[n % sources.Length], NpgsqlDbType.Text);
                }
            }
            await w.CompleteAsync();
        }
        if (history)
        {
            // What an import records: one stage change per lead (into its stage), spread over 90 days, for the funnel report.
            await using var w = await c.BeginBinaryImportAsync(
                "COPY nurture.stage_change (lead_id, pipeline_id, from_stage_id, to_stage_id, cause, at) FROM STDIN (FORMAT BINARY)");
            for (var i = 0; i < count; i++)
            {
                await w.StartRowAsync();
                await w.WriteAsync(result[i], NpgsqlDbType.Uuid);
                await w.WriteAsync(ids.PipelineId, NpgsqlDbType.Bigint);
                await w.WriteNullAsync();
                await w.WriteAsync(stageOf[i], NpgsqlDbType.Bigint);
                await w.WriteAsync("import", NpgsqlDbType.Text);
                await w.WriteAsync(changedAt[i], NpgsqlDbType.TimestampTz);
            }
            await w.CompleteAsync();
        }
        return result;
    }

    /// <summary>One active enrollment per lead in the sequence's first step, next step at <paramref name="nextStepAt"/>.</summary>
    public static async Task EnrollmentsAsync(Engine e, Ids ids, IReadOnlyList<Guid> leads, DateTimeOffset nextStepAt)
    {
        var now = DateTimeOffset.UtcNow;
        await using var c = Bulk(e);
        await c.OpenAsync();
        await using var w = await c.BeginBinaryImportAsync("""
            COPY nurture.enrollment (lead_id, sequence_id, sequence_version_id, status, current_step_id, next_step_at, steps_run, enrolled_at)
            FROM STDIN (FORMAT BINARY)
            """);
        foreach (var lead in leads)
        {
            await w.StartRowAsync();
            await w.WriteAsync(lead, NpgsqlDbType.Uuid);
            await w.WriteAsync(ids.SequenceId, NpgsqlDbType.Bigint);
            await w.WriteAsync(ids.VersionId, NpgsqlDbType.Bigint);
            await w.WriteAsync("Active", NpgsqlDbType.Varchar);
            await w.WriteAsync(ids.FirstStep, NpgsqlDbType.Text);
            await w.WriteAsync(nextStepAt, NpgsqlDbType.TimestampTz);
            await w.WriteAsync(0, NpgsqlDbType.Integer);
            await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
        }
        await w.CompleteAsync();
    }

    /// <summary>
    /// COPY of a million rows on a loaded machine outlasts Npgsql's default 30 s command timeout. Not pooled:
    /// a pool of its own would outlive the engine and hand the next one a connection its DROP DATABASE killed.
    /// </summary>
    private static NpgsqlConnection Bulk(Engine e) =>
        new(new NpgsqlConnectionStringBuilder(e.Connection) { CommandTimeout = 0, Pooling = false }.ConnectionString);
}
