// Sequence builder: visual condition builders for the exit list and each branch (conditions.js),
// step renames followed by every picker that points at the step, the draft kept on the server as
// you type, and each refused field shown at the field, without publishing (the same POST as the
// "Save draft" button, answered as JSON). Adding, moving and removing steps and A/B variants posts
// what the buttons post without script, then replaces only the step list and the flow diagram.
(() => {
  const form = document.getElementById('builder');
  const status = document.getElementById('draft-status');
  if (!form || !status) return;
  const options = JSON.parse(form.dataset.options || '{}');
  const stepIds = () => [...form.querySelectorAll('input.step-id')].map(i => i.value.trim());

  // One builder per condition: the exit list, and each branch's "if".
  let builders = [];
  const mountAll = (root, errors) => root.querySelectorAll('.cond-builder').forEach(at => {
    const area = at.closest('.condition');
    const textarea = area.querySelector('textarea');
    const builder = window.ConditionBuilder.mount(at, textarea, {
      base: at.dataset.base, list: 'list' in at.dataset, options, errors, listLabel: 'Any of these',
    });
    if (!builder) { area.querySelector('details').open = true; return; } // JSON that does not parse: the advanced view is the editor
    builders.push({ ...builder, at });
    area.querySelectorAll('.field-error').forEach(e => e.remove()); // shown at their conditions instead
  });
  const ownedByBuilder = path => builders.some(b => path === b.base || path.startsWith(b.base + '.') || path.startsWith(b.base + '['));

  // What each step brings along: its condition builder, its rename, its A/B total.
  const enhance = (root, errors) => {
    mountAll(root, errors);
    followRenames(root);
    variantTotals(root);
  };

  // A renamed step takes its references along: branch and goto targets, and conditions on its email.
  const followRenames = root => root.querySelectorAll('input.step-id').forEach(input => {
    let current = input.value.trim();
    input.addEventListener('change', () => {
      const renamed = input.value.trim();
      if (!renamed || renamed === current) return;
      form.querySelectorAll('select.step-target').forEach(select => {
        [...select.options].forEach(o => { if (o.value === current) { o.value = renamed; o.textContent = renamed; } });
      });
      // Followed here, so the server has nothing left to follow for this step (it does so for posts without script).
      input.closest('.step').querySelector('input[name$=".OriginalId"]').value = renamed;
      options.steps = stepIds();
      builders.forEach(b => b.renameStep(current, renamed, options.steps));
      current = renamed;
    });
  });

  // A/B weights: the running total beside them.
  const variantTotals = root => root.querySelectorAll('fieldset.variants').forEach(set => {
    const total = set.querySelector('.variant-total');
    set.addEventListener('input', () => {
      const sum = [...set.querySelectorAll('input[type=number]')].reduce((n, i) => n + (+i.value || 0), 0);
      total.textContent = `Total: ${sum}%` + (sum === 100 ? '' : ' (must be 100)');
    });
  });
  enhance(form, JSON.parse(form.dataset.errors || '{}'));

  const show = errors => {
    form.querySelectorAll('.field-error').forEach(e => { if (!e.closest('.cond-builder')) e.remove(); });
    const byPath = {};
    for (const e of errors) byPath[e.path] = byPath[e.path] ? `${byPath[e.path]}; ${e.message}` : e.message;
    builders.forEach(b => b.setErrors(byPath));
    for (const e of errors) {
      if (ownedByBuilder(e.path)) continue;
      const input = e.inputId && document.getElementById(e.inputId);
      if (!input) continue;
      const p = document.createElement('p');
      p.className = 'field-error';
      p.dataset.live = '';
      p.dataset.field = e.path;
      p.textContent = `${e.label}: ${e.message}`;
      input.insertAdjacentElement('afterend', p);
    }
  };

  // A click on a box of the flow diagram opens that step's editor, ready to type in.
  // (delegated: the diagram comes after this script in the page)
  document.addEventListener('click', e => {
    const a = e.target.closest && e.target.closest('a.flow-step');
    if (!a) return;
    const step = document.querySelector(a.getAttribute('href'));
    if (!step) return;
    form.querySelectorAll('.step.focused').forEach(s => s.classList.remove('focused'));
    step.classList.add('focused');
    setTimeout(() => step.querySelector('input:not([type=hidden]), select')?.focus(), 0);
  });

  let timer;
  let pending = Promise.resolve();
  const save = async () => {
    const url = location.pathname + '?handler=Draft';
    const response = await fetch(url, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' } });
    if (!response.ok) { status.textContent = 'Could not save the draft.'; return; }
    const result = await response.json();
    show(result.errors || []);
    const n = (result.errors || []).length;
    status.textContent = n === 0 ? 'Draft saved.' : `Draft saved; ${n} field${n === 1 ? '' : 's'} to fix before publishing.`;
  };

  const schedule = () => {
    clearTimeout(timer);
    status.textContent = 'Saving…';
    timer = setTimeout(() => { pending = pending.then(save); }, 500);
  };
  form.addEventListener('submit', () => { clearTimeout(timer); form.removeEventListener('input', schedule); form.removeEventListener('change', schedule); });
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);

  // Step structure without a page load: the button's own POST (handler, index, up/variant in its formaction), answered
  // with the whole page, of which only the step list and the flow are taken. The draft is then saved as after an edit.
  // Clicks run one after another, each on the list the one before left: a step is found again by its id, and a
  // click on a step that is gone by then does nothing.
  const structural = ['AddStep', 'Move', 'Remove', 'AddVariant', 'RemoveVariant'];
  const stepsNow = () => [...document.getElementById('steps').querySelectorAll('.step')];
  const idOf = step => step.querySelector('input.step-id').value.trim();
  let queue = Promise.resolve();
  let inFlight = 0;
  let edits = 0;
  form.addEventListener('input', () => { edits++; });
  form.addEventListener('change', () => { edits++; });
  form.addEventListener('click', e => {
    const button = e.target.closest('button[formaction]');
    if (!button || button.disabled) return;
    const url = new URL(button.formAction, location.href);
    const handler = url.searchParams.get('handler');
    if (!structural.includes(handler)) return;
    e.preventDefault();
    const step = button.closest('.step');
    const click = { button, url, handler, stepId: step && idOf(step), newType: document.getElementById('new-type')?.value };
    inFlight++;
    queue = queue.then(() => apply(click)).catch(err => console.error(err)) // one failed click does not stop the next
      .finally(() => { inFlight--; });
  });
  // Publish, Save draft and the rest wait for the step changes clicked before them, and then send the list they left.
  form.addEventListener('submit', e => {
    if (inFlight === 0) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const submitter = e.submitter;
    queue.then(() => form.requestSubmit(submitter && submitter.isConnected ? submitter : undefined));
  }, true);

  const apply = async ({ button, url, handler, stepId, newType }) => {
    const steps = document.getElementById('steps');
    const editsAtStart = edits;
    let index = -1, page;
    steps.setAttribute('aria-busy', 'true');
    // Anything typed while the answer is on its way would be lost with the list it was typed in: then the same
    // click is posted again with what the form holds now (the server applies it to what it is sent, so once).
    for (let attempt = 0; ; attempt++) {
      if (stepId != null) {
        index = stepsNow().findIndex(s => idOf(s) === stepId);
        if (index < 0) { steps.removeAttribute('aria-busy'); return; }
        url.searchParams.set('index', String(index));
      }
      const body = new FormData(form);
      if (handler === 'AddStep' && newType) body.set('newType', newType);
      const seen = edits;
      try {
        const response = await fetch(url, { method: 'POST', body });
        if (!response.ok) throw new Error(String(response.status));
        page = new DOMParser().parseFromString(await response.text(), 'text/html');
      } catch {
        steps.removeAttribute('aria-busy');
        if (button.isConnected) form.requestSubmit(button); // the server answers as it does without script
        return;
      }
      if (edits === seen || attempt >= 5) break;
    }
    const active = document.activeElement;
    const activeId = steps.contains(active) && active !== button ? active.id : '';
    const fresh = page.getElementById('steps');
    steps.replaceWith(fresh);
    const flow = document.querySelector('.flow'), freshFlow = page.querySelector('.flow');
    if (flow && freshFlow) flow.replaceWith(freshFlow);
    builders = builders.filter(b => b.at.isConnected);
    options.steps = stepIds();
    builders.forEach(b => b.setSteps(options.steps)); // the exit list's pickers, outside the replaced list
    enhance(fresh, {});
    window.NurtureAdmin?.bindChoices(fresh);
    // Someone who went on typing elsewhere keeps their place.
    if (edits !== editsAtStart) { if (activeId) document.getElementById(activeId)?.focus(); schedule(); return; }
    // Focus where the work goes on: a new step's id, a moved step's same button, else the step now at that place.
    const all = stepsNow();
    const target = handler === 'AddStep' ? all.at(-1)
      : handler === 'Move' ? all[index + (url.searchParams.get('up') === 'true' ? -1 : 1)]
      : all[Math.min(index, all.length - 1)];
    const again = handler === 'Move' && target ? target.querySelector(`button[title="${button.title}"]:not([disabled])`) : null;
    (again || target?.querySelector('input.step-id') || document.getElementById('new-type'))?.focus();
    schedule();
  };
})();
