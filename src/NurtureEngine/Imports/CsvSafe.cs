namespace NurtureEngine.Imports;

/// <summary>
/// CSV formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with
/// = + - @ tab or CR as a formula. Such cells get a leading apostrophe, which spreadsheets show as text.
/// </summary>
public static class CsvSafe
{
    public static string Cell(string? value) =>
        string.IsNullOrEmpty(value) ? "" : value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
