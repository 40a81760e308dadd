using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using NurtureEngine.Data;

namespace NurtureEngine.Mail;

/// <summary>
/// Writes many rendered messages to the outbox with one binary COPY, in the caller's transaction (so they
/// commit with whatever queued them). The unique keys still guard them: (enrollment, step, pass) and
/// (broadcast, lead); a duplicate fails the whole transaction, which its caller reruns one by one.
/// </summary>
public sealed class OutboxWriter(NurtureDbContext db, Automation.UnitOfWork work)
{
    public async Task WriteAsync(IReadOnlyCollection<Message> messages, CancellationToken ct)
    {
        if (messages.Count == 0) return;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY nurture.message (id, lead_id, enrollment_id, sequence_id, step_id, pass, broadcast_id, template_version_id, kind, status,
                to_address, from_address, from_name, subject, html, text, links, message_id_header, attempts, not_before, created_at, error, lease_owner, lease_until)
            FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            foreach (var m in messages)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(m.Id, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(m.LeadId, NpgsqlDbType.Uuid, ct);
                await copy.WriteNullableAsync(m.EnrollmentId, NpgsqlDbType.Bigint, ct);
                await copy.WriteNullableAsync(m.SequenceId, NpgsqlDbType.Bigint, ct);
                await copy.WriteNullableAsync(m.StepId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.Pass, NpgsqlDbType.Integer, ct);
                await copy.WriteNullableAsync(m.BroadcastId, NpgsqlDbType.Bigint, ct);
                await copy.WriteNullableAsync(m.TemplateVersionId, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(m.Kind.ToString(), NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(m.Status.ToString(), NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(m.ToAddress, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.FromAddress, NpgsqlDbType.Text, ct);
                await copy.WriteNullableAsync(m.FromName, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.Subject, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.Html, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.Text, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.Links.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.MessageIdHeader, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(m.Attempts, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(m.NotBefore, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(m.CreatedAt, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteNullableAsync(m.Error, NpgsqlDbType.Text, ct);
                await copy.WriteNullableAsync(m.LeaseOwner, NpgsqlDbType.Text, ct);
                await copy.WriteNullableAsync(m.LeaseUntil, NpgsqlDbType.TimestampTz, ct);
            }
            await copy.CompleteAsync(ct);
        }
        work.WorkDueAt(messages.Min(m => m.NotBefore));
    }
}
