using System.Globalization;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using NurtureEngine.Common;
using NurtureEngine.Data;
using NurtureEngine.Leads;

namespace NurtureEngine.Imports;

public enum DuplicateMode { Update, Skip }

public sealed record CsvPreview(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, int RowCount);
public sealed record ImportRowError(int Row, string Email, string Error);
public sealed record ImportSummary(int Rows, int Created, int Updated, int Skipped, int Failed, IReadOnlyList<ImportRowError> Errors);
public enum ImportOutcome { Created, Updated, Skipped, Failed }

/// <summary>A row of the file: its line number, the lead it maps to, and why it cannot be imported, if so.</summary>
public sealed record ImportRow(int Line, LeadInput Input, string? Problem)
{
    /// <summary>The normalized email of a row that can be imported (what duplicates are matched on).</summary>
    public string? Email => Problem is null ? Lead.Normalize(Input.Email!) : null;
}

/// <summary>
/// CSV import of leads: columns mapped to lead fields (or attributes), each row an ordinary upsert
/// with cause <c>import</c> (so imported leads trigger sequences like any other), duplicates by
/// email updated or skipped, and every bad row reported with its line number instead of stopping the file.
/// </summary>
public sealed class LeadImporter(LeadService leads, NurtureDbContext db)
{
    public const string Ignore = "", AttributePrefix = "attribute:";
    public static readonly string[] Fields = ["email", "firstName", "lastName", "company", "jobTitle", "phone", "timeZone", "source", "dealValue", "owner", "tags", "pipeline", "stage"];
    public const int MaxRows = 100_000;

    // The separator (comma, semicolon, tab) is detected from the file; short rows read as empty fields.
    private static CsvReaderOptions Options => new()
    {
        TrimWhitespace = true, MissingField = CsvMissingFieldHandling.ReturnEmpty, FieldCountMismatch = CsvFieldCountHandling.Allow,
        TrackLineNumbers = true, FormatProvider = CultureInfo.InvariantCulture,
    };

    public static CsvPreview Preview(Stream csv, int rows = 5)
    {
        using var reader = CsvReader.Create(csv, Options, true);
        var headers = ReadHeaders(reader);
        var sample = new List<IReadOnlyList<string>>();
        var count = 0;
        while (reader.Read())
        {
            if (sample.Count < rows) sample.Add(headers.Select((_, i) => Field(reader, i) ?? "").ToList());
            count++;
        }
        return new CsvPreview(headers, sample, count);
    }

    private static List<string> ReadHeaders(CsvReader reader)
    {
        try { reader.ReadHeader(); }
        catch (Exception e) when (e is CsvFormatException or InvalidOperationException) { throw new ValidationException("file", "is not a CSV file: " + e.Message); }
        var headers = reader.Headers.ToList();
        if (headers.Count == 0 || headers.All(string.IsNullOrWhiteSpace)) throw new ValidationException("file", "the file is empty or has no header row");
        return headers;
    }

    private static string? Field(CsvReader reader, int i) => i < reader.FieldCount && !reader.IsEmpty(i) ? reader.GetString(i).Trim() : null;

    /// <summary>A first guess at the mapping from header names ("E-mail", "First name", "Company"...).</summary>
    public static string Guess(string header)
    {
        var h = new string(header.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
        return h switch
        {
            "email" or "emailaddress" or "mail" => "email",
            "firstname" or "givenname" or "first" => "firstName",
            "lastname" or "surname" or "familyname" or "last" => "lastName",
            "company" or "organisation" or "organization" or "account" => "company",
            "jobtitle" or "title" or "position" or "role" => "jobTitle",
            "phone" or "phonenumber" or "telephone" or "mobile" => "phone",
            "timezone" or "tz" => "timeZone",
            "source" or "leadsource" => "source",
            "dealvalue" or "value" or "amount" => "dealValue",
            "owner" or "rep" or "salesrep" => "owner",
            "tags" or "tag" => "tags",
            "pipeline" => "pipeline",
            "stage" or "lifecyclestage" => "stage",
            _ => AttributePrefix + (Slug.IsName(h) ? h : "col"),
        };
    }

    public static void RequireEmail(IReadOnlyList<string> mapping)
    {
        if (!mapping.Contains("email")) throw new ValidationException("mapping", "map one column to email: it is how leads are matched");
    }

    /// <summary>The file's rows in order, each mapped to a lead input, or to the problem that keeps it out.</summary>
    public static IEnumerable<ImportRow> ReadRows(Stream csv, IReadOnlyList<string> mapping)
    {
        RequireEmail(mapping);
        using var parser = CsvReader.Create(csv, Options, true);
        ReadHeaders(parser);
        while (parser.Read())
        {
            var (input, problem) = ToInput(parser, mapping);
            yield return new ImportRow((int)parser.LineNumber, input, problem);
        }
    }

    /// <summary>
    /// One row as an ordinary upsert. In <see cref="DuplicateMode.Skip"/> a lead that exists already,
    /// or an email met earlier in the file (<paramref name="seen"/>, normalized), is left alone.
    /// </summary>
    public async Task<(ImportOutcome Outcome, string? Error)> ImportRowAsync(ImportRow row, DuplicateMode duplicates, ISet<string> seen, CancellationToken ct)
    {
        if (row.Email is not { } email) return (ImportOutcome.Failed, row.Problem);
        var firstInFile = seen.Add(email);
        if (duplicates == DuplicateMode.Skip && (!firstInFile || await db.Leads.AnyAsync(l => l.EmailNormalized == email, ct)))
            return (ImportOutcome.Skipped, null);
        try
        {
            var result = await leads.UpsertAsync(row.Input, StageChangeCause.Import, ct);
            return (result.Created ? ImportOutcome.Created : ImportOutcome.Updated, null);
        }
        catch (Exception e) when (e is ValidationException or ConflictException)
        {
            return (ImportOutcome.Failed, e.Message);
        }
    }

    private static (LeadInput Input, string? Problem) ToInput(CsvReader row, IReadOnlyList<string> mapping)
    {
        var input = new LeadInput();
        var attributes = new JsonObject();
        for (var i = 0; i < mapping.Count; i++)
        {
            var target = mapping[i];
            var value = Field(row, i);
            if (string.IsNullOrEmpty(target) || string.IsNullOrEmpty(value)) continue;
            if (InputText.Problem(value) is { } bad) return (input, $"column {i + 1} ({target}) {bad}");
            switch (target)
            {
                case "email": input.Email = value; break;
                case "firstName": input.FirstName = value; break;
                case "lastName": input.LastName = value; break;
                case "company": input.Company = value; break;
                case "jobTitle": input.JobTitle = value; break;
                case "phone": input.Phone = value; break;
                case "timeZone": input.TimeZone = value; break;
                case "source": input.Source = value; break;
                case "owner": input.Owner = value; break;
                case "pipeline": input.Pipeline = value; break;
                case "stage": input.Stage = value; break;
                case "tags": input.Tags = value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.ToLowerInvariant()).ToList(); break;
                case "dealValue":
                    if (!decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var deal)) return (input, $"dealValue '{value}' is not a number");
                    input.DealValue = deal;
                    break;
                default:
                    if (target.StartsWith(AttributePrefix, StringComparison.Ordinal) && target.Length > AttributePrefix.Length)
                        attributes[target[AttributePrefix.Length..]] = value;
                    break;
            }
        }
        if (attributes.Count > 0) input.Attributes = attributes;
        if (!EmailAddress.IsValid(input.Email)) return (input, $"'{input.Email}' is not a valid email address");
        return (input, null);
    }
}
