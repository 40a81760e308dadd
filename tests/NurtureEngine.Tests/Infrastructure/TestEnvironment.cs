namespace NurtureEngine.Tests.Infrastructure;

/// <summary>What ./test.sh starts for the tests: a PostgreSQL cluster and an SMTP sink.</summary>
public static class TestEnvironment
{
    public static string PostgresServer => Required("NURTURE_TEST_PG");
    public static int SmtpPort => int.Parse(Required("NURTURE_TEST_SMTP_PORT"));
    public static string MailDirectory => Required("NURTURE_TEST_MAILDIR");
    public static string ImapHost => Required("NURTURE_TEST_IMAP_HOST");
    public static int ImapPort => int.Parse(Required("NURTURE_TEST_IMAP_PORT"));
    public static string ImapUser => Required("NURTURE_TEST_IMAP_USER");
    public static string ImapPassword => Required("NURTURE_TEST_IMAP_PASSWORD");

    private static string Required(string name) => Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException($"{name} is not set: run the tests with ./test.sh, which starts PostgreSQL and the SMTP sink.");
}
