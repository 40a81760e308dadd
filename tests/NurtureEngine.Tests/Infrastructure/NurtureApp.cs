using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NurtureEngine.Data;

namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// The whole product in process: the real web app with its Hangfire server, on a fresh PostgreSQL
/// database, sending through the real SMTP sink. Nothing of ours is mocked.
/// </summary>
public sealed class NurtureApp : WebApplicationFactory<Program>
{
    public const string ApiKey = "ne_test_key_0123456789abcdef";
    public const string PublicBaseUrl = "http://localhost";
    private readonly Dictionary<string, string?> _settings;

    private readonly TimeProvider? _clock;
    /// <summary>Replaces a true edge (the mail transport, say) for a test that needs it to misbehave.</summary>
    private readonly Action<IServiceCollection>? _edges;

    private NurtureApp(string connectionString, IDictionary<string, string?>? extra, TimeProvider? clock, Action<IServiceCollection>? edges = null)
    {
        _clock = clock;
        _edges = edges;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Nurture"] = connectionString,
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = TestEnvironment.SmtpPort.ToString(),
            ["Smtp:Security"] = "None",
            ["Smtp:MaxConnections"] = "2",
            ["Nurture:BootstrapApiKey"] = ApiKey,
            ["Nurture:BootstrapAdmin:Email"] = "admin@nurture.test",
            ["Nurture:BootstrapAdmin:Password"] = "Admin-password-1",
            ["Nurture:SeedDemo"] = "true",
            ["Nurture:PublicBaseUrl"] = PublicBaseUrl,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) _settings[k] = v;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }
    private Uri? _socketBase;

    /// <param name="clock">A FakeTimeProvider to drive the engine's time (Hangfire keeps real time).</param>
    /// <param name="edges">Replaces a true edge (the mail transport) for a test that needs it to misbehave.</param>
    public static async Task<NurtureApp> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? clock = null, Action<IServiceCollection>? edges = null)
    {
        var app = new NurtureApp(await TestDatabases.CreateAsync(), settings, clock, edges);
        _ = app.Server; // start now: migrations, seed and the Hangfire server
        return app;
    }

    /// <summary>The app on a database of the caller's (e.g. on a <see cref="PrivatePostgres"/>), migrated at start-up.</summary>
    public static NurtureApp StartOn(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var app = new NurtureApp(connectionString, settings, clock: null);
        _ = app.Server;
        return app;
    }

    /// <summary>
    /// The same app on a real Kestrel socket (127.0.0.1, a free port) for a real browser; see
    /// <see cref="BaseUrl"/>. Clients from <see cref="Api"/> talk to that socket too.
    /// </summary>
    public static async Task<NurtureApp> StartOnSocketAsync(IDictionary<string, string?>? settings = null)
    {
        var app = new NurtureApp(await TestDatabases.CreateAsync(), settings, clock: null);
        app.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        app.StartServer();
        app._socketBase = new Uri(app.BaseUrl);
        return app;
    }

    /// <summary>The address Kestrel listens on (only after <see cref="StartOnSocketAsync"/>).</summary>
    public string BaseUrl => Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        if (_clock is not null) builder.ConfigureServices(services => services.AddSingleton(_clock));
        if (_edges is not null) builder.ConfigureServices(_edges);
    }

    /// <summary>
    /// Runs due steps now, in this process (for fake-clock tests), until none is due: a step the
    /// in-process Hangfire worker holds at that moment (SKIP LOCKED) is waited for, not skipped.
    /// </summary>
    public async Task RunDueStepsAsync()
    {
        var clock = Services.GetRequiredService<TimeProvider>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using (var scope = Services.CreateScope())
                while (await scope.ServiceProvider.GetRequiredService<NurtureEngine.Sequences.SequenceRunner>().RunDueBatchAsync(CancellationToken.None) > 0) { }
            for (var more = true; more;)
            {
                using var scope = Services.CreateScope();
                more = await scope.ServiceProvider.GetRequiredService<NurtureEngine.Broadcasts.BroadcastRunner>().RunDueAsync(CancellationToken.None) > 0;
            }
            var now = clock.GetUtcNow();
            var due = Db(db => db.Enrollments.Count(e => e.Status == NurtureEngine.Sequences.EnrollmentStatus.Active && e.NextStepAt <= now
                && db.Sequences.Any(s => s.Id == e.SequenceId && s.Status == NurtureEngine.Sequences.SequenceStatus.Active)));
            if (due == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{due} due enrollment(s) still not run");
            await Task.Delay(50);
        }
    }

    /// <summary>Sends every email due now, in this process (for fake-clock tests); returns how many were claimed.</summary>
    public async Task<int> SendDueEmailsAsync()
    {
        var sender = Services.GetRequiredService<NurtureEngine.Mail.OutboxSender>();
        var sent = 0;
        for (int n; (n = await sender.SendDueBatchAsync(100, CancellationToken.None)) > 0;) sent += n;
        return sent;
    }

    /// <summary>Runs due steps, then sends what they queued, then marks finished broadcasts sent, as a worker's drain does (for fake-clock tests).</summary>
    public async Task RunDueAsync()
    {
        await RunDueStepsAsync();
        await SendDueEmailsAsync();
        using var scope = Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<NurtureEngine.Broadcasts.BroadcastRunner>().FinishAsync(CancellationToken.None);
    }

    /// <summary>
    /// An app on a fake clock with no Hangfire worker (role web) and the demo sequences quieted: the test
    /// runs steps and sends itself (<see cref="RunDueAsync"/>), so it sees each moment.
    /// </summary>
    public static async Task<NurtureApp> StartDrivenAsync(TimeProvider clock, Action<IServiceCollection>? edges = null)
    {
        var app = await StartAsync(new Dictionary<string, string?> { ["Nurture:Role"] = "web" }, clock, edges);
        await app.QuietDemoSequencesAsync();
        return app;
    }

    /// <summary>An API client with the bootstrap key; redirects are not followed.</summary>
    public HttpClient Api()
    {
        var client = CreateClient(NoRedirects());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    public HttpClient Anonymous() => CreateClient(NoRedirects());

    private WebApplicationFactoryClientOptions NoRedirects()
    {
        var options = new WebApplicationFactoryClientOptions { AllowAutoRedirect = false };
        if (_socketBase is not null) options.BaseAddress = _socketBase;
        return options;
    }

    public T Db<T>(Func<NurtureDbContext, T> query)
    {
        using var scope = Services.CreateScope();
        return query(scope.ServiceProvider.GetRequiredService<NurtureDbContext>());
    }

    public async Task<JsonObject> CreateLeadAsync(object body)
    {
        var response = await Api().PostAsJsonAsync("/api/v1/leads", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The demo's welcome and mql-nurture sequences email every new lead: made manual and empty, so a test sees only its own.</summary>
    public async Task QuietDemoSequencesAsync()
    {
        foreach (var key in new[] { "welcome", "mql-nurture" })
            (await Api().PutAsJsonAsync($"/api/v1/sequences/{key}", new
            {
                name = "quiet", trigger = new { type = "manual" }, steps = new[] { new { id = "x", type = "exit" } },
            })).EnsureSuccessStatusCode();
    }

    public async Task<JsonArray> TimelineAsync(string leadId) =>
        (await Api().GetFromJsonAsync<JsonArray>($"/api/v1/leads/{leadId}/timeline"))!;

    /// <summary>Timeline kinds, oldest first.</summary>
    public async Task<List<string>> KindsAsync(string leadId) =>
        (await TimelineAsync(leadId)).Select(e => e!["kind"]!.GetValue<string>()).Reverse().ToList();

    /// <summary>The timeline's kinds once <paramref name="kind"/> is on it <paramref name="count"/> times (an SMTP
    /// server may accept an email a moment before its outcome is recorded).</summary>
    public Task<List<string>> WaitForKindAsync(string leadId, string kind, int seconds = 30, int count = 1) =>
        Eventually.GetAsync(() => KindsAsync(leadId), kinds => kinds.Count(k => k == kind) >= count, seconds, $"timeline of {leadId} shows {kind} {count} time(s)");

    /// <summary>
    /// Each app has a database of its own, hence a connection pool of its own: close its idle
    /// connections with it, or a long run of app tests exhausts PostgreSQL's max_connections.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(ConnectionString));
    }

    public static string UniqueEmail(string name = "lead") => $"{name}.{Guid.NewGuid():N}@example.com";
}
