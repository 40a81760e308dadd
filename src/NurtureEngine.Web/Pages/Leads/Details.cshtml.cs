using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Tasks;
using NurtureEngine.Timeline;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Leads;

/// <summary>The rep's view of one lead: profile, BANT, tasks, notes, stage history, score ledger, enrollments, the whole timeline.</summary>
public sealed class DetailsModel(LeadService leads, LeadDesk desk, TaskService tasks, PipelineService pipelines, ViewerClock clock, NurtureEngine.Sales.DealService deals,
    NurtureEngine.Sales.HandoffDesk handoffs) : PageModel
{
    public LeadDto Lead { get; private set; } = null!;
    /// <summary>The lead's deals (issue 18).</summary>
    public IReadOnlyList<NurtureEngine.Sales.DealDto> Deals { get; private set; } = [];
    /// <summary>The deal pipelines a new deal of this lead can start in.</summary>
    public IReadOnlyList<PipelineDto> DealPipelines { get; private set; } = [];
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public IReadOnlyList<StageDto> Stages { get; private set; } = [];
    public IReadOnlyList<StageHistoryEntry> StageHistory { get; private set; } = [];
    public IReadOnlyList<EnrollmentEntry> Enrollments { get; private set; } = [];
    public IReadOnlyList<TaskDto> Tasks { get; private set; } = [];
    /// <summary>The lead's hand-offs, newest first (issue 18); the pending one is answered on this page.</summary>
    public IReadOnlyList<NurtureEngine.Sales.HandoffDto> Handoffs { get; private set; } = [];
    public NurtureEngine.Sales.HandoffDto? PendingHandoff => Handoffs.FirstOrDefault(h => h.Status == "pending");
    /// <summary>A SalesRep answers only a hand-off given to them.</summary>
    public bool CanAnswer => PendingHandoff is { } h && (h.Owner == Me || CanCompleteOthersTasks);
    public Qualification Bant { get; private set; } = new(null, null, null, null);
    public string? Error { get; private set; }
    /// <summary>The timeline filter: a group of <see cref="TimelineKinds"/>, or everything.</summary>
    [BindProperty(SupportsGet = true)] public string? Show { get; set; }

    public string StageName(string key) => Stages.FirstOrDefault(s => s.Key == key)?.Name ?? key;
    public string Me => User.Identity?.Name?.ToLowerInvariant() ?? "";
    public IEnumerable<TimelineEntry> ScoreLedger => Timeline.Where(t => t.Kind == ActivityKind.ScoreChanged);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await ShowAsync(id, ct);

    public Task<IActionResult> OnPostStageAsync(Guid id, string stage, CancellationToken ct) =>
        ActAsync(id, async () =>
        {
            var moved = await leads.ChangeStageAsync(id, stage, null, StageChangeCause.Admin, ct);
            var name = (await pipelines.GetAsync(moved.Pipeline, ct))?.Stages.FirstOrDefault(s => s.Key == moved.Stage)?.Name ?? moved.Stage;
            return $"Moved to {name}.";
        }, ct);

    public Task<IActionResult> OnPostNoteAsync(Guid id, string? note, CancellationToken ct) =>
        ActAsync(id, () => desk.AddNoteAsync(id, note, Me, ct), "Note added.", ct);

    public Task<IActionResult> OnPostQualifyAsync(Guid id, string? budget, string? authority, string? need, string? timeline, CancellationToken ct) =>
        ActAsync(id, () => desk.QualifyAsync(id, new Qualification(budget, authority, need, timeline), ct), "Qualification saved.", ct);

    public Task<IActionResult> OnPostTaskAsync(Guid id, string? title, DateTime? due, CancellationToken ct) =>
        ActAsync(id, async () => await tasks.CreateAsync(id, title, due is { } d ? await clock.FromLocalAsync(d) : null, null, Me, ct), "Task added.", ct);

    public Task<IActionResult> OnPostTaskDoneAsync(Guid id, long taskId, CancellationToken ct) =>
        ActAsync(id, () => tasks.DoneAsync(taskId, Me, ct, onlyOwner: CanCompleteOthersTasks ? null : Me, onlyLead: id), "Task done.", ct);

    public Task<IActionResult> OnPostAcceptAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, () => handoffs.AcceptAsync(id, Me, ct, onlyOwner: CanCompleteOthersTasks ? null : Me), "Hand-off accepted: the lead is yours.", ct);

    public Task<IActionResult> OnPostRejectAsync(Guid id, string? reason, string? recycleTo, CancellationToken ct) =>
        ActAsync(id, async () =>
        {
            var rejected = await handoffs.RejectAsync(id, reason, recycleTo, Me, StageChangeCause.Admin, ct, onlyOwner: CanCompleteOthersTasks ? null : Me);
            return rejected.RecycleTo is { } stage ? $"Hand-off rejected; the lead went back to {stage}." : "Hand-off rejected.";
        }, ct);

    /// <summary>A new deal of this lead; <paramref name="dealStage"/> is <c>pipeline/stage</c>. Empty fields take the API's defaults.</summary>
    public Task<IActionResult> OnPostDealAsync(Guid id, string? dealName, string? dealStage, decimal? amount, string? currency, DateOnly? closeDate,
        string? dealOwner, CancellationToken ct) =>
        ActAsync(id, async () =>
        {
            var (pipeline, stage) = dealStage?.Split('/', 2) is [var p, var s] ? (p, s) : ((string?)null, (string?)null);
            var deal = await deals.CreateAsync(new NurtureEngine.Sales.DealInput
            {
                Name = dealName, LeadId = id.ToString(), Pipeline = pipeline, Stage = stage, Amount = amount,
                Currency = string.IsNullOrWhiteSpace(currency) ? null : currency, CloseDate = closeDate,
                Owner = string.IsNullOrWhiteSpace(dealOwner) ? null : dealOwner,
            }, StageChangeCause.Admin, ct);
            return $"Deal \"{deal.Name}\" created.";
        }, ct);

    /// <summary>As on /tasks: a SalesRep completes only their own tasks.</summary>
    private bool CanCompleteOthersTasks => User.IsInRole("Admin") || User.IsInRole("Marketer");

    private Task<IActionResult> ActAsync(Guid id, Func<Task> action, string done, CancellationToken ct) =>
        ActAsync(id, async () => { await action(); return done; }, ct);

    private async Task<IActionResult> ActAsync(Guid id, Func<Task<string>> action, CancellationToken ct)
    {
        try
        {
            TempData["Flash"] = await action();
            return RedirectToPage(new { id });
        }
        catch (NotFoundException) { return NotFound(); }
        catch (ValidationException e) { Error = e.Message; }
        catch (ConflictException e) { Error = e.Message; }
        return await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        if (await leads.GetAsync(id, ct) is not { } lead) return NotFound();
        Lead = lead;
        Deals = await deals.ListAsync(new NurtureEngine.Sales.DealQuery(LeadId: lead.Id, Limit: 100), ct);
        DealPipelines = (await pipelines.ListAsync(ct)).Where(p => p.Object == "deal").ToList();
        Timeline = await leads.TimelineAsync(id, 500, ct);
        Stages = (await pipelines.GetAsync(lead.Pipeline, ct))?.Stages ?? [];
        StageHistory = await desk.StageHistoryAsync(id, ct);
        Enrollments = await desk.EnrollmentsAsync(id, ct);
        Tasks = await tasks.ListAsync(new TaskQuery(LeadId: id, Limit: 100), ct);
        Handoffs = await handoffs.ListAsync(id, ct);
        Bant = LeadDesk.QualificationOf(lead.Attributes);
        return Page();
    }
}
