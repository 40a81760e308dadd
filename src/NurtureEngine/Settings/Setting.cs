namespace NurtureEngine.Settings;

/// <summary>Installation-wide settings and secrets, shared by every process through the database.</summary>
public sealed class Setting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}
