using System.Text.Json;
using System.Text.Json.Nodes;
using MimeKit;

namespace NurtureEngine.Inbound;

/// <summary>
/// An Amazon SES notification delivered by SNS email (<c>x-amz-sns-message-id</c>, a JSON body with
/// <c>notificationType</c>): Complaint → complaint, Bounce → a bounce judged by its status and
/// diagnostic like any other, Delivery → delivered. Null for anything else.
/// </summary>
public static class SesNotification
{
    public static (InboundClassification Classification, IReadOnlyList<string> Recipients)? Classify(MimeMessage message)
    {
        if (!message.Headers.Contains("x-amz-sns-message-id") || message.TextBody is not { } text) return null;
        var start = text.IndexOf('{');
        var end = text.LastIndexOf('}');
        if (start < 0 || end < start) return null;
        JsonObject? json;
        // SNS wraps the one-line JSON at a fixed width: the line breaks are not part of it.
        try { json = JsonNode.Parse(text[start..(end + 1)].Replace("\r", "").Replace("\n", "")) as JsonObject; }
        catch (JsonException) { return null; }
        static List<string> Addresses(JsonNode? list) =>
            list is JsonArray a ? [.. a.Select(r => r?["emailAddress"]?.GetValue<string>()).OfType<string>()] : [];
        switch (json?["notificationType"]?.GetValue<string>())
        {
            case "Complaint":
                var type = json["complaint"]?["complaintFeedbackType"]?.GetValue<string>() ?? "abuse";
                return (new InboundClassification(InboundKind.Complaint, Reason: $"Amazon SES complaint ({type})"), Addresses(json["complaint"]?["complainedRecipients"]));
            case "Bounce":
                var recipients = json["bounce"]?["bouncedRecipients"] as JsonArray;
                var first = recipients?.FirstOrDefault();
                var transient = json["bounce"]?["bounceType"]?.GetValue<string>() == "Transient";
                var verdict = BounceClassifier.Classify(first?["status"]?.GetValue<string>(), first?["diagnosticCode"]?.GetValue<string>() ?? "", delayed: transient, report: true);
                return (new InboundClassification(verdict.Hard ? InboundKind.HardBounce : InboundKind.SoftBounce, verdict.Status, verdict.Reason, verdict.Category), Addresses(recipients));
            case "Delivery":
                return (new InboundClassification(InboundKind.Delivered, Reason: "Amazon SES delivery notification"), Addresses(null));
            default:
                return null;
        }
    }
}
