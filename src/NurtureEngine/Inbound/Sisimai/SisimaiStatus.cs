namespace NurtureEngine.Inbound.Sisimai;

/// <summary>
/// Sisimai::SMTP::Status->prefer (https://github.com/sisimai/p5-sisimai, BSD 2-Clause): which of two status codes
/// to believe when a DSN's Status field and the code in its diagnostic text differ ("Status: 5.1.1" over
/// "552 5.2.2 Over quota" is a full mailbox, not an unknown user).
/// </summary>
public static class SisimaiStatus
{
    /// <param name="field">The Status field's code.</param>
    /// <param name="inText">The code in the diagnostic text.</param>
    /// <param name="reply">The SMTP reply code in the text ("552"), if any.</param>
    public static string Prefer(string field, string inText, string? reply)
    {
        if (field.Length < 5) return inText;
        if (inText.Length < 5) return field;
        if (reply is { Length: > 0 } && reply[0] != '0' && field[0] != inText[0])
        {
            if (reply[0] == field[0]) return field;
            if (reply[0] == inText[0]) return inText;
        }
        if (field == inText) return field;
        var fieldZero = field.IndexOf(".0", StringComparison.Ordinal) > 0;
        var textZero = inText.IndexOf(".0", StringComparison.Ordinal) > 0;
        if (field.IndexOf(".0.0", StringComparison.Ordinal) > 0) return inText.Contains(".0.0", StringComparison.Ordinal) ? field : inText;
        if (fieldZero && !textZero) return inText;
        if (inText.IndexOf(".0.0", StringComparison.Ordinal) > 0) return field;
        if (field == "4.4.7" || field.StartsWith("5.3.", StringComparison.Ordinal)) return inText;
        if (field == "5.1.1") return textZero ? field : inText;
        if (field == "5.1.3" && inText.StartsWith("5.7.", StringComparison.Ordinal)) return inText;
        return field;
    }
}
