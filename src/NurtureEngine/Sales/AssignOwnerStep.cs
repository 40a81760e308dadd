using NurtureEngine.Leads;
using NurtureEngine.Sequences;
using NurtureEngine.Timeline;

namespace NurtureEngine.Sales;

/// <summary>
/// The <c>assign_owner</c> sequence step: the same rules as a hand-off stage (round robin, or an attribute map
/// falling back to round robin) over the step's team. With <c>acceptWithin</c> it is a hand-off (accept task, SLA);
/// without, the lead simply gets the owner. The runner calls it inside its transaction with the lead locked.
/// </summary>
public sealed class AssignOwnerStep(HandoffService handoffs, TimelineWriter timeline, TimeProvider clock)
{
    public const string OwnerAssigned = "owner_assigned";

    public async Task RunAsync(Step step, Enrollment enrollment, Lead lead, string sequenceName, CancellationToken ct)
    {
        var rule = step.AssignmentRule;
        var owner = rule.MappedOwner(lead) ?? rule.TeamMember(await handoffs.NextTurnAsync($"sequence:{enrollment.SequenceId}:{step.Id}", ct));
        if (rule.AcceptWithin is not null)
        {
            await handoffs.StartAsync(lead, rule, owner, $"sequence {sequenceName}, step {step.Id}", stageId: null, $"\"{sequenceName}\"", ct);
            return;
        }
        var previous = lead.Owner;
        lead.Owner = owner;
        lead.UpdatedAt = clock.GetUtcNow();
        timeline.Add(lead.Id, OwnerAssigned, $"\"{sequenceName}\" step {step.Id} gave the lead to {owner}" + (previous is null ? "" : $" (was {previous})"),
            new { step = step.Id, owner, previous, rule = rule.IsRoundRobin ? HandoffRule.RoundRobin : "attribute" }, sequenceId: enrollment.SequenceId, stepId: step.Id);
    }
}
