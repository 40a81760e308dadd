namespace NurtureEngine.Tests.Infrastructure;

/// <summary>
/// Tests that start the whole app run one at a time: each has its own database, but two
/// Hangfire servers and two apps on two cores would only slow each other down.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AppCollection
{
    public const string Name = "app";
}
