using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Inbound;
using NurtureEngine.Mail;

namespace NurtureEngine.Settings;

/// <summary>
/// The one place the engine reads the settings an admin can change (sender, SMTP relay, IMAP
/// mailbox, public base URL, default time zone, frequency cap, domain throttle): configuration
/// with the values saved on the Settings page on top. Every process re-reads the saved row at most
/// every few seconds, so a change applies without a restart; the process that saves sees it at once.
/// While the database cannot be read, the settings last read stay in force.
/// </summary>
public sealed class InstallationSettings(
    IServiceScopeFactory scopes, IOptionsFactory<NurtureOptions> nurture, IOptionsFactory<SmtpOptions> smtp, IOptionsFactory<ImapOptions> imap,
    IDataProtectionProvider protection)
{
    public const string RowKey = "admin_settings";
    /// <summary>How stale another process's save may be seen here (a cache age, not domain time: hence not TimeProvider).</summary>
    private const long RefreshMilliseconds = 3_000;

    private readonly IDataProtector _protector = protection.CreateProtector("NurtureEngine.Settings.Passwords");
    private volatile Snapshot? _current;
    private long _loadedAt;
    private int _refreshing;
    private int _saves;
    private readonly Lock _gate = new();

    public NurtureOptions Nurture => Current.Nurture;
    public SmtpOptions Smtp => Current.Smtp;
    public ImapOptions Imap => Current.Imap;
    public SavedSettings Saved => Current.Saved;

    /// <summary>
    /// Loaded once on first use (and after a save here); after that a stale snapshot is still served
    /// while one background refresh reads the row, so no caller waits on the database for it.
    /// </summary>
    private Snapshot Current
    {
        get
        {
            var current = _current;
            if (current is null)
            {
                current = Load();
                _current = current;
                Interlocked.Exchange(ref _loadedAt, Environment.TickCount64);
                return current;
            }
            if (Environment.TickCount64 - Interlocked.Read(ref _loadedAt) >= RefreshMilliseconds && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
                _ = Task.Run(Refresh);
            return current;
        }
    }

    private void Refresh()
    {
        try
        {
            var saves = Volatile.Read(ref _saves);
            var loaded = Load();
            lock (_gate)
            {
                // A save here since this read began wins: the next use loads its row.
                if (saves != _saves || _current is null) return;
                _current = loaded;
                _loadedAt = Environment.TickCount64;
            }
        }
        catch (Exception e) when (e is DbException or TimeoutException or ObjectDisposedException)
        {
            // The database is away (or the process is stopping): keep serving what was last read, try again at the next use.
        }
        finally
        {
            Interlocked.Exchange(ref _refreshing, 0);
        }
    }

    /// <summary>Changes the saved row under a lock (two admins saving different sections both win) and applies it here at once.</summary>
    public async Task SaveAsync(Func<SavedSettings, SavedSettings> change, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO nurture.setting (key, value) VALUES ({RowKey}, '{{}}') ON CONFLICT (key) DO NOTHING", ct);
        var row = await db.Settings.FromSql($"SELECT * FROM nurture.setting WHERE key = {RowKey} FOR UPDATE").SingleAsync(ct);
        row.Value = Json.Serialize(change(Json.Deserialize<SavedSettings>(row.Value)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        lock (_gate)
        {
            _saves++;
            _current = null;
        }
    }

    public string Protect(string password) => _protector.Protect(password);

    /// <summary>Configuration alone, without saved values: what the Settings page offers to fall back to.</summary>
    public (SmtpOptions Smtp, ImapOptions Imap) Configured() => (smtp.Create(Options.DefaultName), imap.Create(Options.DefaultName));

    private Snapshot Load()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NurtureDbContext>();
        var json = db.Settings.AsNoTracking().Where(s => s.Key == RowKey).Select(s => s.Value).FirstOrDefault();
        var saved = json is null ? new SavedSettings() : Json.Deserialize<SavedSettings>(json);

        var n = nurture.Create(Options.DefaultName);
        n.Sender.Name = saved.SenderName ?? n.Sender.Name;
        n.Sender.Email = saved.SenderEmail ?? n.Sender.Email;
        n.Sender.ReplyTo = saved.ReplyTo ?? n.Sender.ReplyTo;
        n.Sender.PostalAddress = saved.PostalAddress ?? n.Sender.PostalAddress;
        n.PublicBaseUrl = saved.PublicBaseUrl ?? n.PublicBaseUrl;
        n.DefaultTimeZone = saved.DefaultTimeZone ?? n.DefaultTimeZone;
        n.FrequencyCap.MaxEmails = saved.FrequencyCapMaxEmails ?? n.FrequencyCap.MaxEmails;
        n.FrequencyCap.Window = saved.FrequencyCapWindow ?? n.FrequencyCap.Window;
        n.DomainThrottlePerMinute = saved.DomainThrottlePerMinute ?? n.DomainThrottlePerMinute;

        var s = smtp.Create(Options.DefaultName);
        if (saved.SmtpHost is not null)
        {
            s.Host = saved.SmtpHost.Length == 0 ? null : saved.SmtpHost;
            s.Port = saved.SmtpPort ?? s.Port;
            s.Security = saved.SmtpSecurity ?? s.Security;
            s.User = saved.SmtpUser;
            s.Password = Unprotect(saved.SmtpPasswordProtected);
        }

        var i = imap.Create(Options.DefaultName);
        if (saved.ImapHost is not null)
        {
            i.Host = saved.ImapHost.Length == 0 ? null : saved.ImapHost;
            i.Port = saved.ImapPort ?? i.Port;
            i.Security = saved.ImapSecurity ?? i.Security;
            i.User = saved.ImapUser;
            i.Password = Unprotect(saved.ImapPasswordProtected);
            i.Folder = saved.ImapFolder ?? i.Folder;
        }
        return new Snapshot(n, s, i, saved);
    }

    private string? Unprotect(string? protectedPassword)
    {
        if (protectedPassword is null) return null;
        try { return _protector.Unprotect(protectedPassword); }
        catch (System.Security.Cryptography.CryptographicException) { return null; } // keys lost: the admin must enter it again
    }

    private sealed record Snapshot(NurtureOptions Nurture, SmtpOptions Smtp, ImapOptions Imap, SavedSettings Saved);
}
