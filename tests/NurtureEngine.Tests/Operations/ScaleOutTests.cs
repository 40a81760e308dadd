using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using NurtureEngine.Tests.Infrastructure;

namespace NurtureEngine.Tests.Operations;

/// <summary>
/// Several processes of the real app on one PostgreSQL, started at the same moment on an empty
/// database, as README "Running several processes" shows: one installation, no double work.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class ScaleOutTests
{
    private const string ApiKey = "ne_scaleout_key_0123456789abcdef";
    private const string AdminEmail = "admin@scaleout.test";
    private const string AdminPassword = "Admin-password-1";

    [Fact]
    public async Task TwoWebAndTwoWorkerProcesses_OnAnEmptyDatabase_MigrateAndSeedOnce_AndEmailEachLeadOnce()
    {
        var connectionString = await TestDatabases.CreateEmptyAsync();
        var settings = new Dictionary<string, string>
        {
            ["Nurture__SeedDemo"] = "true",
            ["Nurture__BootstrapApiKey"] = ApiKey,
            ["Nurture__BootstrapAdmin__Email"] = AdminEmail,
            ["Nurture__BootstrapAdmin__Password"] = AdminPassword,
        };
        var processes = new[] { "web", "web", "worker", "worker" }.Select(role => WorkerProcess.Start(connectionString, role, settings)).ToArray();
        try
        {
            await Task.WhenAll(processes.Select(p => p.WaitUntilReadyAsync()));
            var (web1, web2) = (processes[0], processes[1]);

            // Migrations and the demo seed ran once.
            Assert.Equal(MigrationCount(), await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.__ef_migrations_history"));
            Assert.Equal(MigrationCount(), await ScalarAsync(connectionString, "SELECT count(DISTINCT migration_id) FROM nurture.__ef_migrations_history"));
            Assert.Equal(1, await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.pipeline"));
            Assert.Equal(6, await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.stage"));
            Assert.Equal(Directory.GetDirectories(RepoFiles.At("templates", "emails")).Length + Directory.GetDirectories(RepoFiles.At("templates", "layouts")).Length,
                await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.template_version"));
            Assert.Equal(await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.sequence"),
                await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.sequence_version"));
            Assert.Equal(1, await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.asp_net_users"));

            // Leads through both web processes: each gets its welcome email exactly once.
            var emails = Enumerable.Range(0, 12).Select(i => NurtureApp.UniqueEmail($"scale{i}")).ToList();
            await Task.WhenAll(emails.Select(async (email, i) =>
            {
                using var api = Api(i % 2 == 0 ? web1 : web2);
                (await api.PostAsJsonAsync("/api/v1/leads", new { email, firstName = "Scale" })).EnsureSuccessStatusCode();
            }));
            foreach (var email in emails) await MailSink.WaitForAsync(email, seconds: 60);
            await Eventually.GetAsync(() => ScalarAsync(connectionString, "SELECT count(*) FROM nurture.message WHERE status <> 'Sent'"), n => n == 0,
                what: "every queued message settled");
            Assert.All(emails, email => Assert.Single(MailSink.For(email)));
            Assert.Equal(emails.Count, await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.message"));

            // Data Protection keys live in PostgreSQL: a sign-in cookie from web-1 is valid on web-2.
            var cookie = await SignInAsync(web1);
            using var onWeb2 = web2.Client();
            onWeb2.DefaultRequestHeaders.Add("Cookie", cookie);
            var dashboard = await onWeb2.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            using var anonymous = web2.Client();
            Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/")).StatusCode);
            Assert.True(await ScalarAsync(connectionString, "SELECT count(*) FROM nurture.data_protection_keys") >= 1);
        }
        finally
        {
            foreach (var p in processes) await p.DisposeAsync();
        }
    }

    private static HttpClient Api(WorkerProcess web)
    {
        var client = web.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    /// <summary>Signs in through the login form (antiforgery and all); returns the Cookie header to send.</summary>
    private static async Task<string> SignInAsync(WorkerProcess web)
    {
        var cookies = new CookieContainer();
        using var client = web.Client(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/account/login");
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        var login = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = AdminEmail, ["Password"] = AdminPassword, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var auth = cookies.GetCookies(new Uri(web.BaseUrl)).Single(c => c.Name == "nurture.auth");
        return $"{auth.Name}={auth.Value}";
    }

    private static int MigrationCount() =>
        typeof(NurtureEngine.Data.NurtureDbContext).Assembly.GetTypes()
            .Count(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Length > 0);

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        return Convert.ToInt64(await new NpgsqlCommand(sql, conn).ExecuteScalarAsync());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
