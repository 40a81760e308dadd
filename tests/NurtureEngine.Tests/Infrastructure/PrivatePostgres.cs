using System.Diagnostics;
using Npgsql;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of one test's own (initdb + pg_ctl as the postgres user, as test.sh does),
/// on a free port, which the test may stop and start: the shared cluster every other test uses is
/// never touched.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;

    private PrivatePostgres(string dir, string bin, int port)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, MaxPoolSize = 40, Timeout = 5,
    }.ConnectionString;

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderBy(b => b).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql");
        var dir = Directory.CreateTempSubdirectory("nurture-private-pg-").FullName;
        await RunAsync("chown", "postgres", dir);
        var pg = new PrivatePostgres(dir, bin, PrivateSmtpSink.FreePort());
        await pg.AsPostgresAsync(Path.Combine(bin, "initdb"), "-D", pg.Data, "--no-sync", "-A", "trust", "-U", "postgres", "-E", "UTF8");
        await File.AppendAllTextAsync(Path.Combine(pg.Data, "postgresql.conf"),
            $"\nport = {pg.Port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{dir}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n");
        await pg.StartServerAsync();
        await using var conn = new NpgsqlConnection(pg.ConnectionString("postgres"));
        await conn.OpenAsync();
        await new NpgsqlCommand("CREATE DATABASE nurture", conn).ExecuteNonQueryAsync();
        return pg;
    }

    private string Data => Path.Combine(_dir, "data");

    /// <summary>A fast shutdown: open connections are cut, as in a restart or a failover.</summary>
    public Task StopServerAsync() => AsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "fast", "-w", "stop");

    public Task StartServerAsync() => AsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-l", Path.Combine(_dir, "postgres.log"), "-w", "-t", "60", "start");

    public async ValueTask DisposeAsync()
    {
        try { await AsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "immediate", "stop"); }
        catch (InvalidOperationException) { /* already stopped */ }
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString("nurture")));
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { /* best effort */ }
    }

    private Task AsPostgresAsync(string program, params string[] args) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync("sudo", ["-n", "-u", "postgres", program, .. args]);

    private static async Task RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await stdout}{await stderr}");
    }
}
