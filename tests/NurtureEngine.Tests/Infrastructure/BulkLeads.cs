using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using NurtureEngine.Automation;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// Thousands of leads enrolled in seconds: binary COPY of the lead and enrollment rows (what an
/// import writes), then one nudge for the workers. For tests about what the workers do with a
/// large backlog, not about how leads get in.
/// </summary>
public static class BulkLeads
{
    /// <summary>One subscribed lead per address in the default pipeline's first stage, enrolled at the first step of the sequence's current version, due now.</summary>
    public static async Task EnrollAsync(NurtureApp app, string sequenceKey, IReadOnlyList<string> emails)
    {
        var (sequenceId, versionId, firstStep) = app.Db(db =>
        {
            var sequence = db.Sequences.Single(s => s.Key == sequenceKey);
            var version = db.SequenceVersions.Single(v => v.SequenceId == sequence.Id && v.Version == sequence.CurrentVersion);
            var definition = NurtureEngine.Common.Json.Deserialize<NurtureEngine.Sequences.SequenceDefinition>(version.DefinitionJson);
            return (sequence.Id, version.Id, definition.Steps[0].Id);
        });
        var now = DateTimeOffset.UtcNow;
        var ids = await CreateAsync(app, emails);
        await using var c = new NpgsqlConnection(app.ConnectionString);
        await c.OpenAsync();
        await using (var w = await c.BeginBinaryImportAsync("""
            COPY nurture.enrollment (lead_id, sequence_id, sequence_version_id, status, current_step_id, next_step_at, steps_run, enrolled_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var id in ids)
            {
                await w.StartRowAsync();
                await w.WriteAsync(id, NpgsqlDbType.Uuid);
                await w.WriteAsync(sequenceId, NpgsqlDbType.Bigint);
                await w.WriteAsync(versionId, NpgsqlDbType.Bigint);
                await w.WriteAsync("Active", NpgsqlDbType.Varchar);
                await w.WriteAsync(firstStep, NpgsqlDbType.Text);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(0, NpgsqlDbType.Integer);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }
            await w.CompleteAsync();
        }
        await new NpgsqlCommand("ANALYZE nurture.enrollment", c).ExecuteNonQueryAsync();
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IDueWorkSignal>().NudgeAsync(DateTimeOffset.UtcNow, CancellationToken.None);
    }

    /// <summary>One subscribed lead per address, with these tags, in the default pipeline's first stage (binary COPY: no triggers run). Returns their ids.</summary>
    public static async Task<Guid[]> CreateAsync(NurtureApp app, IReadOnlyList<string> emails, params string[] tags)
    {
        var (pipelineId, stageId) = app.Db(db =>
        {
            var pipeline = db.Pipelines.OrderByDescending(p => p.IsDefault).ThenBy(p => p.Id).First();
            var stage = db.Stages.Where(s => s.PipelineId == pipeline.Id).OrderBy(s => s.Position).ThenBy(s => s.Id).First();
            return (pipeline.Id, stage.Id);
        });
        var now = DateTimeOffset.UtcNow;
        var ids = emails.Select(_ => Guid.CreateVersion7()).ToArray();
        await using var c = new NpgsqlConnection(app.ConnectionString);
        await c.OpenAsync();
        await using (var w = await c.BeginBinaryImportAsync("""
            COPY nurture.lead (id, email, email_normalized, first_name, tags, attributes, pipeline_id, stage_id,
                               stage_entered_at, score, status, soft_bounces, created_at, updated_at) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < emails.Count; i++)
            {
                await w.StartRowAsync();
                await w.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await w.WriteAsync(emails[i], NpgsqlDbType.Text);
                await w.WriteAsync(emails[i].Trim().ToLowerInvariant(), NpgsqlDbType.Text);
                await w.WriteAsync($"Lead{i}", NpgsqlDbType.Text);
                await w.WriteAsync(tags, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await w.WriteAsync("{}", NpgsqlDbType.Jsonb);
                await w.WriteAsync(pipelineId, NpgsqlDbType.Bigint);
                await w.WriteAsync(stageId, NpgsqlDbType.Bigint);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(0, NpgsqlDbType.Integer);
                await w.WriteAsync("Subscribed", NpgsqlDbType.Varchar);
                await w.WriteAsync(0, NpgsqlDbType.Integer);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }
            await w.CompleteAsync();
        }
        await new NpgsqlCommand("ANALYZE nurture.lead", c).ExecuteNonQueryAsync();
        return ids;
    }
}
