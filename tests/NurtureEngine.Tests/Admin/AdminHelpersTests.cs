using NurtureEngine.Common;
using NurtureEngine.Imports;
using NurtureEngine.Sequences;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Tests.Admin;

public sealed class AdminHelpersTests
{
    [Theory]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("Ada", "Ada")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void CsvCell_NeutralisesFormulaStarts(string? value, string expected) => Assert.Equal(expected, CsvSafe.Cell(value));

    [Fact]
    public void LineDiff_MarksAddedAndRemovedLines_KeepingCommonOnes()
    {
        var diff = LineDiff.Compute("a\nb\nc", "a\nc\nd");
        Assert.Equal(
            [(LineDiff.Change.Same, "a"), (LineDiff.Change.Removed, "b"), (LineDiff.Change.Same, "c"), (LineDiff.Change.Added, "d")],
            diff.Select(l => (l.Change, l.Text)));
    }

    [Fact]
    public void SequenceForm_RoundTripsTheApiExample_WithoutLosingAnything()
    {
        const string json = """
            { "name": "Welcome series",
              "trigger": { "type": "stage_entered", "pipeline": "default", "stage": "lead" },
              "exitWhen": [ { "type": "stage_entered", "stage": "sql" }, { "type": "replied" }, { "type": "event", "event": "demo_booked" },
                            { "type": "score_at_least", "score": 80 } ],
              "reenroll": false,
              "sendWindow": { "days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "17:00" },
              "steps": [
                { "id": "welcome",  "type": "email", "template": "welcome" },
                { "id": "pause-1",  "type": "wait", "duration": "P2D" },
                { "id": "engaged?", "type": "branch", "if": { "type": "clicked", "step": "welcome", "within": "P2D" }, "then": "hot", "else": "nudge" },
                { "id": "nudge",    "type": "email", "variants": [ { "template": "follow-up", "weight": 50 }, { "template": "welcome", "weight": 50 } ] },
                { "id": "end",      "type": "exit" },
                { "id": "hot",      "type": "score", "points": 10 },
                { "id": "to-mql",   "type": "stage", "stage": "mql" },
                { "id": "call",     "type": "task", "title": "Call", "due": "P1D" },
                { "id": "deep?",    "type": "branch", "if": { "type": "all", "of": [ { "type": "has_tag", "tag": "vip" }, { "type": "opened" } ] }, "then": "end", "else": "tell-rep" },
                { "id": "tell-rep", "type": "notify_owner", "template": "owner-alert" } ] }
            """;
        var definition = Json.Deserialize<SequenceDefinition>(json);
        var roundTripped = SequenceForm.From(definition).ToDefinition();
        Assert.Equal(Json.Serialize(Normalise(definition)), Json.Serialize(Normalise(roundTripped)));
    }

    /// <summary>Exit conditions come back grouped (the builder's fields first); their order carries no meaning.</summary>
    private static SequenceDefinition Normalise(SequenceDefinition d)
    {
        d.ExitWhen = d.ExitWhen?.OrderBy(c => Json.Serialize(c), StringComparer.Ordinal).ToList();
        return d;
    }
}
