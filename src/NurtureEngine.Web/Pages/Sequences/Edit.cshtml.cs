using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NurtureEngine.Common;
using NurtureEngine.Leads;
using NurtureEngine.Pipelines;
using NurtureEngine.Segments;
using NurtureEngine.Sequences;
using NurtureEngine.Templates;
using NurtureEngine.Web.Admin;

namespace NurtureEngine.Web.Pages.Sequences;

/// <summary>
/// The sequence builder: trigger, exit conditions, send window and the step list (add, reorder,
/// configure, branch targets picked from the steps). Works without JavaScript: every button posts
/// the whole form back. Saving publishes a new version; running enrollments finish on theirs.
/// </summary>
public sealed class EditModel(SequenceService sequences, SequenceValidator validator, SequenceDrafts drafts, PipelineService pipelines, TemplateService templates,
    SegmentService segments, LeadDirectory directory, SequenceSimulator simulator, LeadService leads) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    [BindProperty] public SequenceForm Form { get; set; } = new();

    public bool Exists { get; private set; }
    public string Status { get; private set; } = "new";
    public int Version { get; private set; }
    public IReadOnlyList<PipelineDto> Pipelines { get; private set; } = [];
    public IReadOnlyList<string> Templates { get; private set; } = [];
    /// <summary>The users an <c>assign_owner</c> step's team is ticked from.</summary>
    public IReadOnlyList<string> Owners { get; private set; } = [];
    /// <summary>What the condition builders offer in their pickers: stages by name, segments, the form's steps.</summary>
    public string BuilderOptions => JsonSerializer.Serialize(new { stages = _stageChoices, segments = _segmentChoices, steps = Form.Steps.Select(st => st.Id.Trim()) });
    private object[] _stageChoices = [], _segmentChoices = [];
    public IReadOnlyList<StepStats> Stats { get; private set; } = [];
    public IReadOnlyList<VariantStats> Variants { get; private set; } = [];
    public IReadOnlyList<string> Errors { get; private set; } = [];
    /// <summary>The refused fields, each at its input (numbered as the page numbers steps).</summary>
    public IReadOnlyList<SequenceFieldErrors.FieldError> FieldErrors { get; private set; } = [];
    /// <summary>The unpublished draft this form shows, if any.</summary>
    public SequenceDrafts.Draft? Draft { get; private set; }

    /// <summary>The refused fields by path, for the condition builders to show at their conditions.</summary>
    public string ErrorsJson => JsonSerializer.Serialize(FieldErrors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => string.Join("; ", g.Select(e => e.Message))));

    public IEnumerable<SequenceFieldErrors.FieldError> ErrorsAt(string inputId) => FieldErrors.Where(e => e.InputId == inputId);
    /// <summary>What publishing the form would do to the leads waiting now (shown before saving).</summary>
    public Impact? Impact { get; private set; }
    public int ActiveEnrollments => Stats.Sum(s => s.Waiting);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        await LoadAsync(ct);
        if (await drafts.GetAsync(Key, ct) is { } draft)
        {
            Draft = draft;
            Form = draft.Form;
        }
        else if (await sequences.GetAsync(Key, ct) is { } stored)
        {
            Form = SequenceForm.From(stored.Definition);
            Form.Name = stored.Name;
        }
        else
        {
            var pipeline = Pipelines.FirstOrDefault(p => p.IsDefault) ?? Pipelines.FirstOrDefault();
            Form = new SequenceForm
            {
                Name = Key, TriggerPipeline = pipeline?.Key, TriggerStage = pipeline?.Stages.FirstOrDefault()?.Key, ExitOnReply = true,
                Steps = [new StepForm { Id = "email-1", Type = StepType.Email, Template = Templates.FirstOrDefault() }],
            };
        }
        return Page();
    }

    /// <summary>Before any handler: references follow renamed steps, so a rename never leaves a branch pointing nowhere.</summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context) => Form.FollowRenames();

    public async Task<IActionResult> OnPostAddStepAsync(string newType, CancellationToken ct)
    {
        if (!StepType.All.Contains(newType)) newType = StepType.Email;
        var n = 1;
        while (Form.Steps.Any(s => s.Id == $"{newType.Replace('_', '-')}-{n}")) n++;
        var step = new StepForm { Id = $"{newType.Replace('_', '-')}-{n}", Type = newType };
        if (newType == StepType.Wait) step.Duration = "2 days";
        if (newType == StepType.Task) { step.Title = "Call the lead"; step.Due = "1 day"; }
        if (newType == StepType.Score) step.Points = 10;
        if (newType == StepType.Branch) step.IfJson = StepForm.DefaultCondition;
        Form.Steps.Add(step);
        return await ShowAsync(ct);
    }

    public Task<IActionResult> OnPostMoveAsync(int index, bool up, CancellationToken ct)
    {
        var other = up ? index - 1 : index + 1;
        if (index >= 0 && index < Form.Steps.Count && other >= 0 && other < Form.Steps.Count)
            (Form.Steps[index], Form.Steps[other]) = (Form.Steps[other], Form.Steps[index]);
        return ShowAsync(ct);
    }

    /// <summary>Adds an arm to step <paramref name="index"/>'s A/B split; the first split starts as the step's template against a second, 50/50.</summary>
    public Task<IActionResult> OnPostAddVariantAsync(int index, CancellationToken ct)
    {
        if (index >= 0 && index < Form.Steps.Count && Form.Steps[index] is { Type: StepType.Email } step)
        {
            if (step.Variants.Count == 0) step.Variants.AddRange([new VariantForm { Template = step.Template, Weight = 50 }, new VariantForm { Weight = 50 }]);
            else step.Variants.Add(new VariantForm());
        }
        return ShowAsync(ct);
    }

    public Task<IActionResult> OnPostRemoveVariantAsync(int index, int variant, CancellationToken ct)
    {
        if (index >= 0 && index < Form.Steps.Count && Form.Steps[index].Variants is var variants && variant >= 0 && variant < variants.Count)
        {
            variants.RemoveAt(variant);
            // One arm left is no test: the step sends that template.
            if (variants.Count == 1) { Form.Steps[index].Template = variants[0].Template ?? Form.Steps[index].Template; variants.Clear(); }
        }
        return ShowAsync(ct);
    }

    public Task<IActionResult> OnPostRemoveAsync(int index, CancellationToken ct)
    {
        if (index >= 0 && index < Form.Steps.Count) Form.Steps.RemoveAt(index);
        return ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        try
        {
            var (saved, created) = await sequences.PutAsync(Key, Form.ToDefinition(), ct);
            await drafts.DiscardAsync(Key, ct);
            TempData["Flash"] = created ? $"Published {Key} (version 1)." : $"Published version {saved.Version}. Leads already in the sequence finish on the version they entered.";
            return RedirectToPage(new { key = Key });
        }
        catch (ValidationException e) { Refused(e); }
        return await ShowAsync(ct);
    }

    /// <summary>Keeps the form as a draft and checks it without publishing: the builder calls this as fields are edited.</summary>
    public async Task<IActionResult> OnPostDraftAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        await drafts.SaveAsync(Key, Form, User.Identity?.Name, ct);
        try { await validator.ValidateAsync(Key, Form.ToDefinition(), ct); }
        catch (ValidationException e) { Refused(e); }
        if (Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal))
            return new JsonResult(new { saved = true, errors = FieldErrors });
        TempData["Flash"] = FieldErrors.Count == 0 ? "Draft saved. It is ready to publish." : "Draft saved. Some fields still need attention.";
        return RedirectToPage(new { key = Key });
    }

    public async Task<IActionResult> OnPostDiscardAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        await drafts.DiscardAsync(Key, ct);
        TempData["Flash"] = "Draft discarded.";
        return RedirectToPage(new { key = Key });
    }

    private void Refused(ValidationException e)
    {
        FieldErrors = SequenceFieldErrors.From(e.Errors);
        Errors = FieldErrors.Select(f => $"{f.Label}: {f.Message}").ToList();
    }

    public async Task<IActionResult> OnPostImpactAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        try { Impact = await sequences.ImpactAsync(Key, Form.ToDefinition(), ct); }
        catch (ValidationException e) { Refused(e); }
        catch (NotFoundException) { Errors = ["The sequence is new: nobody is waiting in it yet."]; }
        return await ShowAsync(ct);
    }

    /// <summary>The "simulate for this lead" panel: who, and what they do when.</summary>
    public sealed class SimulationForm
    {
        public string? Email { get; set; }
        /// <summary>Empty (the lead does nothing), or email_opened / email_clicked / email_replied.</summary>
        public string? Event { get; set; }
        public string? After { get; set; } = "1 hour";
        public string? Horizon { get; set; } = "90 days";
    }

    [BindProperty] public SimulationForm Sim { get; set; } = new();
    /// <summary>The timeline the published version would write for the lead, or null before a simulation.</summary>
    public IReadOnlyList<SimulatedEntry>? Simulation { get; private set; }
    public string? SimulationError { get; private set; }
    /// <summary>True when the simulated lead is a made-up one (the address is no lead yet).</summary>
    public bool SimulatedNewLead { get; private set; }

    /// <summary>Runs the published version for a lead on a virtual clock (nothing is sent or stored); the form is kept as the draft.</summary>
    public async Task<IActionResult> OnPostSimulateAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        var email = Sim.Email?.Trim() ?? "";
        if (!EmailAddress.IsValid(email)) SimulationError = "Type the email address of a lead (or of a made-up one).";
        else if (Sim.Event is { Length: > 0 } kind && !new[] { "email_opened", "email_clicked", "email_replied" }.Contains(kind)) SimulationError = "Choose what the lead does.";
        else if (Sim.Event is { Length: > 0 } && HumanDuration.ToIso(Sim.After) is null) SimulationError = $"When the lead does it: a duration {HumanDuration.Hint}.";
        else if (HumanDuration.ToIso(Sim.Horizon) is not { } horizon) SimulationError = $"How far ahead: a duration {HumanDuration.Hint}.";
        else
        {
            var existing = (await leads.ListAsync(new LeadQuery(Email: email, Limit: 1), ct)).Items.FirstOrDefault();
            SimulatedNewLead = existing is null;
            var input = new SimulationInput
            {
                LeadId = existing?.Id, Lead = existing is null ? new LeadInput { Email = email } : null, Horizon = horizon,
                Events = Sim.Event is { Length: > 0 } ev ? [new SimulationEventInput { Type = ev, After = HumanDuration.ToIso(Sim.After) }] : [],
            };
            try { Simulation = await simulator.RunAsync(Key, input, ct); }
            catch (NotFoundException) { SimulationError = "Publish the sequence first: the simulation runs the published version."; }
            catch (ValidationException e) { SimulationError = string.Join(" ", e.Errors.SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}"))); }
        }
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostStatusAsync(bool pause, CancellationToken ct)
    {
        try { await sequences.SetStatusAsync(Key, pause ? SequenceStatus.Paused : SequenceStatus.Active, ct); }
        catch (NotFoundException) { return NotFound(); }
        TempData["Flash"] = pause ? "Paused: leads keep their place and nothing is sent." : "Running again.";
        return RedirectToPage(new { key = Key });
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        if (!Slug.IsKey(Key)) return NotFound();
        ModelState.Clear(); // show the reordered list, not the posted values by index
        await drafts.SaveAsync(Key, Form, User.Identity?.Name, ct); // every change is kept: a reload finds it
        Draft = await drafts.GetAsync(Key, ct);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Pipelines = await pipelines.ListAsync(ct);
        Templates = (await templates.ListAsync(ct)).Select(t => t.Key).ToList();
        Owners = await directory.OwnersAsync(ct);
        _stageChoices = Pipelines.SelectMany(p => p.Stages).GroupBy(st => st.Key).Select(g => (object)new { key = g.Key, name = g.First().Name }).ToArray();
        _segmentChoices = (await segments.ListAsync(ct)).Select(x => (object)new { key = x.Key, name = x.Name }).ToArray();
        if (await sequences.GetAsync(Key, ct) is { } s)
        {
            Exists = true;
            Status = s.Status.ToString().ToLowerInvariant();
            Version = s.Version;
            Stats = await sequences.StatsAsync(Key, ct);
            Variants = await sequences.VariantStatsAsync(Key, ct);
        }
    }
}
