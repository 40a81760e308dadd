using System.ComponentModel.DataAnnotations;

namespace NurtureEngine.Forms;

/// <summary>Configuration section <c>Nurture:Forms</c>.</summary>
public sealed class FormOptions
{
    public const string Section = "Nurture:Forms";

    /// <summary>A form submitted sooner than this after it was rendered is a bot's (0 = off).</summary>
    [Range(0, 3600)] public double MinFillSeconds { get; set; } = 3;
    /// <summary>How long a double opt-in confirmation link stays valid.</summary>
    [Range(1, 90)] public int ConfirmDays { get; set; } = 7;
    /// <summary>
    /// At most this many confirmation emails to one lead in 24 hours: anyone can type someone else's address
    /// into a form, and the form must not become a way to flood that inbox. Every link sent stays valid.
    /// </summary>
    [Range(1, 100)] public int ConfirmationsPerDay { get; set; } = 3;
}
